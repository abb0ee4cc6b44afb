// Compare's figure export through the one figure spec (src/charts/figure.ts, also used by `wgflab figure`):
// PNG from an offscreen canvas chart of figureOption (size in CSS pixels times the scale), SVG from an SVG-renderer
// chart of the same option, CSV from figureCsv. ECharts modules are loaded when the first figure is exported.
import { figureCsv, figureOption, type FigureInput } from '../../../src/charts/figure';

type EChartsCore = typeof import('echarts/core');
let loaded: Promise<EChartsCore> | undefined;

function echartsForFigures(): Promise<EChartsCore> {
  loaded ??= (async () => {
    const [core, charts, components, renderers] = await Promise.all([import('echarts/core'), import('echarts/charts'), import('echarts/components'), import('echarts/renderers')]);
    core.use([charts.LineChart, components.GridComponent, components.LegendComponent, components.TitleComponent, components.TooltipComponent, components.MarkLineComponent, renderers.CanvasRenderer, renderers.SVGRenderer]);
    return core;
  })();
  return loaded;
}

/** PNG data URL of the figure: width x height CSS pixels drawn at `scale` (the image is width*scale x height*scale). */
export async function figurePng(f: FigureInput, scale: number): Promise<string> {
  const echarts = await echartsForFigures();
  const host = document.createElement('div');
  const chart = echarts.init(host, undefined, { renderer: 'canvas', width: f.width, height: f.height, devicePixelRatio: 1 });
  try {
    chart.setOption(figureOption(f) as Parameters<typeof chart.setOption>[0]);
    return chart.getDataURL({ type: 'png', pixelRatio: scale, backgroundColor: '#ffffff' });
  } finally {
    chart.dispose();
  }
}

/** SVG text of the figure (ECharts' SVG renderer in string mode, as the headless CLI does). */
export async function figureSvg(f: FigureInput): Promise<string> {
  const echarts = await echartsForFigures();
  const chart = echarts.init(null, undefined, { renderer: 'svg', ssr: true, width: f.width, height: f.height });
  try {
    chart.setOption(figureOption(f) as Parameters<typeof chart.setOption>[0]);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export { figureCsv };

/** Saves text or a data URL as a download. */
export function saveAs(content: string, fileName: string, type?: string): void {
  const href = type ? URL.createObjectURL(new Blob([content], { type })) : content;
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (type) setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
