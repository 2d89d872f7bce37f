/**
 * Live Code for the bpbook pages: Thebe 0.9, served by the book itself.
 *
 * book/_ext/bpbook/live_code.py puts this file in place of sphinx-thebe 0.3.1's
 * sphinx-thebe.js. It keeps that file's entry point, initThebe(), which the
 * theme's "Live Code" button calls. Nothing is loaded before that click.
 *
 * Which kernel runs the cells comes from the page's
 * <script type="text/x-thebe-config"> blocks, which Thebe merges in order:
 *  - a block with useBinder: false and serverSettings (scripts/serve_live.py
 *    adds one): that Jupyter server;
 *  - otherwise (the static book, published or offline): Python in the
 *    reader's browser, with bpbook-lite.js, loaded then. (Binder stays in the
 *    launch menu, as JupyterLab: Thebe's merged page config says useBinder:
 *    true unless a block says false, so it cannot tell a request for Binder
 *    from no request at all.)
 *
 * Thebe (index.js and thebe.css, and require.js for widgets) comes from this
 * site's _static/thebe/ folder (THEBE_JS_URL, set by live_code.py). Thebe
 * 0.9's bootstrap() honours the page's choice of server only when told so
 * explicitly, so the options are passed here; and every code cell gets an
 * output area, because Thebe 0.9 pairs cells and outputs by position.
 *
 * The launch button shows the kernel and its state (classes thebe-status-*,
 * and the seconds while it starts); a status line after it (role="status", so
 * screen readers hear it) says which kernel runs the code, what it is doing,
 * and what to do if it fails.
 */
/* global THEBE_JS_URL, thebe_selector, thebe_selector_input, thebe_selector_output, kernelName */

var bpbookScripts = {};

/** Load a script once; resolves when it has run. */
var loadScript = (src) => {
  if (!(src in bpbookScripts)) {
    bpbookScripts[src] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.addEventListener("load", () => resolve());
      script.addEventListener("error", () => reject(new Error(`could not load ${src}`)));
      document.head.appendChild(script);
    });
  }
  return bpbookScripts[src];
};

var loadThebe = () => {
  if (typeof window.thebelab !== "undefined") {
    return Promise.resolve();
  }
  // Thebe's widget manager loads require.js from here (see live_code.py).
  window.BPBOOK_REQUIREJS_URL = new URL("require.js", THEBE_JS_URL).href;
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("thebe.css", THEBE_JS_URL).href;
  document.head.appendChild(css);
  return loadScript(THEBE_JS_URL);
};

// ------------------------------------------------------------------ status

var statusLine = () => {
  let line = document.querySelector(".bpbook-live-status");
  const button = document.querySelector(".thebe-launch-button");
  if (!line && button) {
    line = document.createElement("p");
    line.className = "bpbook-live-status";
    line.setAttribute("role", "status");
    line.setAttribute("aria-live", "polite");
    button.insertAdjacentElement("afterend", line);
  }
  return line;
};

/** The button shows "where: status"; its class thebe-status-<first word of status>. */
var setStatus = (where, status, message) => {
  document.querySelectorAll(".thebe-launch-button").forEach((button) => {
    button.className = button.className.replace(/\bthebe-status-\S+/g, "").trim();
    button.classList.add(`thebe-status-${status.split(" ")[0]}`);
    button.innerHTML =
      `<span class='launch_msg'>${where}: </span><span class='status'>${status}</span>`;
  });
  const line = statusLine();
  if (line && message !== undefined) {
    line.textContent = message;
  }
};

/**
 * Until the returned stop() is called, count the seconds on the button; the status
 * line (which screen readers announce) changes only with the phase.
 */
var showProgress = (where, phase) => {
  const started = Date.now();
  let said = null;
  const tick = () => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const now = phase();
    setStatus(where, `starting (${seconds} s)`, now === said ? undefined : now);
    said = now;
  };
  tick();
  const timer = setInterval(tick, 1000);
  return () => clearInterval(timer);
};

var FILE_URL_HELP =
  "Live Code cannot run Python in a page opened as a file: browsers do not load " +
  "WebAssembly from file:// addresses. Serve the book over http instead, for example " +
  "with: python -m http.server 8000 --bind 127.0.0.1 --directory _build/html, " +
  "then open http://127.0.0.1:8000/.";

var initThebe = async () => {
  if (document.querySelectorAll(".thebe-cell").length > 0) {
    return; // already live
  }
  statusLine();
  setStatus("Thebe", "loading", "Loading Thebe…");
  try {
    await loadThebe();
  } catch (error) {
    console.error("[bpbook-thebe]", error);
    setStatus("Thebe", "failed", `Live Code could not load Thebe: ${error.message}.`);
    return;
  }
  const thebe = window.thebelab;
  const pageConfig = thebe.getPageConfig();
  const onServer = pageConfig.useBinder === false && !!pageConfig.serverSettings;
  const where = onServer ? "Jupyter server" : "Python in your browser";
  if (!onServer && window.location.protocol === "file:") {
    setStatus(where, "failed", FILE_URL_HELP);
    return;
  }

  let lite = null;
  let phase = "Starting Python";
  let starting = true; // until our set-up is done or has failed
  const stopProgress = showProgress(where, () =>
    onServer
      ? "Starting a kernel on the Jupyter server."
      : `${phase} in your browser; the first start takes about 20 to 30 s.`
  );
  let failed = false;
  thebe.on("status", (_name, data) => {
    // Until our own set-up is done, "ready" from Thebe is not ready for the reader.
    if (!starting && !failed && data && data.status) {
      setStatus(where, data.status);
    }
  });
  modifyDOMForThebe();
  try {
    if (!onServer) {
      await loadScript(new URL("../bpbook-lite.js", THEBE_JS_URL).href);
      lite = await window.bpbookLite.prepare();
    }
    await thebe.bootstrap({
      useBinder: false,
      useJupyterLite: !onServer,
      requestKernel: true,
      mountStatusWidget: false,
      mountActivateWidget: false,
      // The book already runs MathJax 3; Thebe's default would load MathJax 2 from a CDN.
      mathjaxUrl: false,
      kernelOptions: { kernelName: lite ? lite.kernelName : kernelName },
    });
    if (lite) {
      window.bpbookLite.explainFailures(lite);
      phase = `Installing ${lite.install.map((r) => r.replace(/\[.*\]/, "")).join(", ")}`;
      await window.bpbookLite.setUp(window.thebe.session.kernel, lite);
    }
  } catch (error) {
    failed = true;
    starting = false;
    stopProgress();
    console.error("[bpbook-thebe] could not start a kernel", error);
    const advice = onServer
      ? "Reload the page to try again."
      : "Reload the page to try again, or open the page on Binder from the launch menu.";
    setStatus(where, "failed", `The kernel did not start (${error.message || error}). ${advice}`);
    return;
  }
  starting = false;
  stopProgress();
  setStatus(
    where,
    "ready",
    lite
      ? window.bpbookLite.readyMessage(lite)
      : `The cells run on the ${where}. Run them in order.`
  );
  document.querySelectorAll(".thebe-init, .tag_thebe-init").forEach((cell) => {
    const run = cell.querySelector(".thebe-run-button");
    if (run) {
      run.click();
    }
  });
};

// ------------------------------------------------------------------ cells

/** Mark the code cells for Thebe (as sphinx-thebe.js does), one output area each. */
var modifyDOMForThebe = () => {
  document.querySelectorAll(thebe_selector).forEach((codeCell, index) => {
    codeCell.id = `codecell${index}`;
    const codeCellText = codeCell.querySelector(thebe_selector_input);
    if (!codeCellText) {
      return;
    }
    codeCellText.setAttribute("data-language", detectLanguage(kernelName));
    codeCellText.setAttribute("data-executable", "true");
    let codeCellOutput = codeCell.querySelector(thebe_selector_output);
    if (!codeCellOutput) {
      codeCellOutput = document.createElement("div");
      codeCellOutput.className = "cell_output docutils container";
    }
    codeCellOutput.setAttribute("data-output", "");
    // After the input, or after the <details> that folds a hide-input cell's input away:
    // inside it, the output would be hidden with the code.
    (codeCellText.closest("details") || codeCellText).insertAdjacentElement(
      "afterend",
      codeCellOutput
    );
    codeCell.querySelectorAll("button.copybtn").forEach((el) => el.remove());
  });
};

var detectLanguage = (language) => {
  if (language.indexOf("python") > -1) {
    return "python";
  }
  if (language === "ir") {
    return "r";
  }
  return language;
};
