// The problem registry: one line per problem. The setup schema and scheme compatibility derive from it.
import { gaussianKlProblem } from '../problems/gaussian-kl/index';
import { klProblem } from '../problems/kl/index';
import { mmdProblem } from '../problems/mmd/index';
import { interactionProblem } from '../problems/interaction/index';
import { matchingProblem } from '../problems/matching/index';
import { fokkerPlanckProblem } from '../problems/fokker-planck/index';
import { heatProblem } from '../problems/heat/index';
import { porousMediumProblem } from '../problems/porous-medium/index';
import { crowdMotionProblem } from '../problems/crowd-motion/index';
import { reluNeuronGridProblem } from '../problems/relu-neuron-grid/index';
import { twoLayerNetProblem } from '../problems/two-layer-net/index';

export const PROBLEM_DEFS = [gaussianKlProblem, klProblem, mmdProblem, interactionProblem, matchingProblem, fokkerPlanckProblem, heatProblem, porousMediumProblem, crowdMotionProblem, reluNeuronGridProblem, twoLayerNetProblem] as const;
