// The scheme registry: one line per scheme file. A kind may exist for several measures (e.g. `ula` on Gaussians
// and on particles); such definitions share one parameter schema.
import { forwardGaussian } from '../schemes/gaussian/forward';
import { ulaGaussian } from '../schemes/gaussian/ula';
import { fbGaussian } from '../schemes/gaussian/fb';
import { jkoGaussian } from '../schemes/gaussian/jko';

export const SCHEME_DEFS = [forwardGaussian, ulaGaussian, fbGaussian, jkoGaussian] as const;
