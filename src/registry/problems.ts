// The problem registry: one line per problem. The setup schema and scheme compatibility derive from it.
import { gaussianKlProblem } from '../problems/gaussian-kl/index';

export const PROBLEM_DEFS = [gaussianKlProblem] as const;
