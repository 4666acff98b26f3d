export { mlpJvp, mlpPrimal, mlpVjp, type Primal, primalLogits } from "./mlp_f64.ts";
