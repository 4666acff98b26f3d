export { mlpJvp, mlpPrimal, mlpVjp, type Primal, primalLogits } from "./mlp_f64.ts";
export { type MlpJvp, type MlpJvpSpec, prepareMlpJvp } from "./mlp_jvp.ts";
export { type MlpVjpSpec, prepareMlpVjp } from "./mlp_vjp.ts";
export { oneHotResidual, tangentRidgeF64 } from "./ridge_f64.ts";
export { type TangentRidge, tangentRidgeCg, type TangentRidgeSpec } from "./ridge_cg.ts";
export { type TangentOutputs, tangentOutputs, type TangentOutputsSpec } from "./tangent_outputs.ts";
