// The scheme registry: one line per scheme file. A kind may exist for several measures (e.g. `ula` on Gaussians
// and on particles); such definitions share one parameter schema.
import { forwardGaussian } from '../schemes/gaussian/forward';
import { ulaGaussian } from '../schemes/gaussian/ula';
import { fbGaussian } from '../schemes/gaussian/fb';
import { jkoGaussian } from '../schemes/gaussian/jko';
import { ulaParticles } from '../schemes/particles/ula';
import { malaParticles } from '../schemes/particles/mala';
import { svgdParticles } from '../schemes/particles/svgd';
import { forwardKdeParticles } from '../schemes/particles/forward-kde';
import { mmdFlowParticles } from '../schemes/particles/mmd-flow';
import { fbGaussianParticles } from '../schemes/particles/fb-gaussian';
import { gdParticles } from '../schemes/particles/gd';
import { pgdParticles } from '../schemes/particles/pgd';
import { mirrorParticles } from '../schemes/particles/mirror';
import { nemGaussian } from '../schemes/gaussian/nem';
import { pfbGaussian } from '../schemes/gaussian/pfb';
import { entropicJkoGrid } from '../schemes/grid/entropic-jko';
import { gdMassesGrid } from '../schemes/grid/gd-masses';
import { jkoEmdGrid, jkoSlicedGrid } from '../schemes/grid/jko-transport';
import { noisyGdParticles } from '../schemes/particles/noisy-gd';
import { jkoMapParticles } from '../schemes/particles/jko-map';

export const SCHEME_DEFS = [
  forwardGaussian, ulaGaussian, fbGaussian, jkoGaussian,
  ulaParticles, malaParticles, svgdParticles, forwardKdeParticles, mmdFlowParticles, fbGaussianParticles,
  gdParticles, pgdParticles, mirrorParticles, nemGaussian, pfbGaussian,
  entropicJkoGrid, gdMassesGrid, jkoEmdGrid, jkoSlicedGrid,
  noisyGdParticles, jkoMapParticles,
] as const;
