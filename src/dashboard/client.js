// The dashboard's browser script: renders every chart whose vega-lite spec the page carries
// (vega and vega-lite's browser builds are loaded before it), with tooltips; and, on a running
// results folder, polls its progress every 5 s and reloads the page when it completes.
/* global vega, vegaLite */
"use strict";

async function renderCharts() {
  for (const holder of document.querySelectorAll("script[data-chart]")) {
    const spec = JSON.parse(holder.textContent);
    const container = document.getElementById(holder.dataset.chart);
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {
      renderer: "svg",
      container,
      hover: true,
    });
    await view.runAsync();
    container.dataset.rendered = "true";
  }
}

function pollProgress() {
  const live = document.getElementById("live");
  if (!live) return;
  const { src } = JSON.parse(live.textContent);
  const tick = async () => {
    const response = await fetch(src);
    if (!response.ok) return;
    const state = await response.json();
    document.getElementById("status").textContent = state.status;
    document.getElementById("progress").textContent = `(${state.done} of ${state.runs} runs done)`;
    if (state.status === "complete") location.reload();
    else setTimeout(tick, 5000);
  };
  tick();
}

renderCharts().then(() => {
  document.body.dataset.chartsRendered = "true";
});
pollProgress();
