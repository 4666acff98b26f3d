export { dashboardHandler } from "./server.ts";
export { plainSegments, resolveInside } from "./safe_path.ts";
