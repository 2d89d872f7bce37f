/**
 * Live Code in the reader's browser: the part of bpbook-thebe.js that only the
 * in-browser kernel needs, loaded by it when the reader chooses Live Code on a
 * page with no Jupyter server (so that pages weigh what they did before).
 *
 * Thebe 0.9 starts the kernel through thebe-lite: a JupyterLite server in the
 * page, JupyterLite's Pyodide kernel in a web worker, all served from this
 * site's _static/lite/ (book/_ext/bpbook/browser_kernel.py writes its
 * config.json; pyodide_files.py and package_index.py the rest).
 * window.bpbookLite offers:
 *  - prepare(): load thebe-lite, set up so that it uses only this site;
 *    resolves to config.json;
 *  - setUp(kernel, lite): what the kernel runs before the reader's first cell
 *    (install bpcode[viz], copy the files the pages read, cd to book/);
 *  - explainFailures(lite): a note under a cell that fails in this kernel;
 *  - readyMessage(lite): what the status line says once it is ready.
 */
/* global THEBE_JS_URL, thebe_selector, loadScript */

(() => {
  /**
   * thebe-lite 0.5's startJupyterLiteServer(config) defaults to a CDN for
   * Pyodide and piplite; its litePluginSettings replace those defaults per
   * plugin, so the wrapper passes the kernel plugin's settings from config.json.
   */
  const prepare = async () => {
    const response = await fetch(new URL("../lite/config.json", THEBE_JS_URL));
    if (!response.ok) {
      throw new Error(`no in-browser kernel in this build (${response.url}: ${response.status})`);
    }
    const lite = await response.json();
    const here = (path) => new URL(path, response.url).href;
    lite.filesUrl = here(lite.filesUrl);
    // JupyterLite takes its base URL from this element (default: the site's root) and
    // reads api/contents/all.json there, which thebe-lite ships next to itself.
    const pageConfig = document.createElement("script");
    pageConfig.id = "jupyter-config-data";
    pageConfig.type = "application/json";
    pageConfig.textContent = JSON.stringify({
      baseUrl: new URL(".", here(lite.thebeLiteUrl)).pathname,
    });
    document.head.appendChild(pageConfig);
    // JupyterLite would register a service worker, which the kernel does not need here
    // (its files stay in memory), and then ping it at the site's root,
    // /api/service-worker-heartbeat, outside the worker's scope: a 404 on every page.
    // Without navigator.serviceWorker it goes on as in any browser that has none.
    Object.defineProperty(navigator, "serviceWorker", { value: undefined, configurable: true });
    await loadScript(here(lite.thebeLiteUrl));
    const start = window.thebeLite.startJupyterLiteServer;
    window.thebeLite.startJupyterLiteServer = (config) =>
      start({
        ...config,
        litePluginSettings: {
          ...(config && config.litePluginSettings),
          "@jupyterlite/pyodide-kernel-extension:kernel": {
            pyodideUrl: here(lite.pyodideUrl),
            pipliteUrls: lite.pipliteUrls.map(here),
            pipliteWheelUrl: here(lite.pipliteWheelUrl),
            disablePyPIFallback: true,
            // Loaded with Pyodide itself, in one batch, rather than one by one after it.
            loadPyodideOptions: { packages: lite.preload },
          },
        },
      });
    return lite;
  };

  /** Run config.json's set-up code, no output shown; rejects with the kernel's error. */
  const setUp = async (kernel, lite) => {
    const code = `FILES_URL = ${JSON.stringify(lite.filesUrl)}\n${lite.setup}`;
    const future = kernel.requestExecute({ code, silent: true, store_history: false });
    const reply = await future.done;
    if (reply.content.status !== "ok") {
      throw new Error(`${reply.content.ename}: ${reply.content.evalue}`);
    }
  };

  const versions = (lite) => {
    const v = lite.versions;
    return (
      `numpy ${v.browser.numpy} and matplotlib ${v.browser.matplotlib} here, where the ` +
      `book was built with numpy ${v.build.numpy} and matplotlib ${v.build.matplotlib}`
    );
  };

  const readyMessage = (lite) =>
    `Python ${lite.versions.python} runs in your browser (Pyodide ${lite.versions.pyodide}), ` +
    `offline: ${versions(lite)}. Run the cells in order, from the first.`;

  /**
   * A cell that raises (and is not meant to: tag raises-exception) gets a note
   * under its output: this kernel is not the build's, and the cell runs
   * elsewhere. Relies on Thebe 0.9's window.thebe.notebook.cells, whose
   * execute() resolves to {id, error, ...} (error: the cell's error outputs, if
   * any), and on the element [data-thebe-id=<id>] that holds the cell.
   */
  const explainFailures = (lite) => {
    const text =
      `This cell failed in Python in your browser (Pyodide ${lite.versions.pyodide}: ` +
      `${versions(lite)}). The cells run in order: run the ones above it first. If the ` +
      "error is about a missing package or a version, run the page on Binder (launch " +
      "menu) or on your machine (python scripts/serve_live.py).";
    window.thebe.notebook.cells.forEach((cell) => {
      const execute = cell.execute.bind(cell);
      cell.execute = async (...args) => {
        const result = await execute(...args);
        const element = document.querySelector(`[data-thebe-id="${cell.id}"]`);
        const container = element && element.closest(thebe_selector);
        if (container && !container.classList.contains("tag_raises-exception")) {
          container.querySelectorAll(".bpbook-browser-note").forEach((note) => note.remove());
          if (result && result.error) {
            // The theme's admonition style, after the cell's output.
            const note = document.createElement("div");
            note.className = "admonition warning bpbook-browser-note";
            note.setAttribute("role", "note");
            note.innerHTML = "<p class='admonition-title'>Python in your browser</p><p></p>";
            note.lastElementChild.textContent = text;
            container.appendChild(note);
          }
        }
        return result;
      };
    });
  };

  window.bpbookLite = { prepare, setUp, explainFailures, readyMessage };
})();
