// Optimal-transport toolbox: exact, entropic, grid, sliced and kernel discrepancies between measures (issue 3).
export { OtInputError, MASS_RTOL, toPointCloud, toWeights, toCostMatrix, checkSameMass, checkReg } from './errors';
export type { PointCloud, CostMatrix, WeightsInput } from './errors';
export { sqEuclideanCost, fillSqEuclidean } from './cost';
export { exactOt, exactOtPoints, solveExact } from './exact';
export type { ExactOtOptions, ExactOtResult, ExactOtStatus } from './exact';
export { exactOt1d, solveExact1d } from './exact1d';
export type { Exact1dResult } from './exact1d';
export { lapjv } from './assignment';
export { networkSimplex } from './network-simplex';
export { sinkhorn, sinkhornPoints, sinkhornDivergence, solveSinkhorn } from './sinkhorn';
export type { SinkhornOptions, SinkhornResult, SinkhornDivergenceResult, SinkhornMethod, SinkhornStatus } from './sinkhorn';
export { gibbsGridKernel, gridSinkhorn, gridPoints } from './grid';
export type { GridSpec, GibbsGridKernel, GridSinkhornOptions, GridSinkhornResult } from './grid';
export { slicedWasserstein } from './sliced';
export type { SlicedOptions, SlicedResult } from './sliced';
export { mmd2, energyDistance } from './mmd';
export type { MmdKernel, MmdOptions, MmdResult } from './mmd';
