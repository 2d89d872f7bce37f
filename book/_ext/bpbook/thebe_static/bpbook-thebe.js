/**
 * Live Code for the bpbook pages: Thebe 0.9, served by the book itself.
 *
 * book/_ext/bpbook/live_code.py puts this file in place of sphinx-thebe 0.3.1's
 * sphinx-thebe.js. It keeps that file's entry point, initThebe(), which the
 * theme's "Live Code" button calls, and changes three things:
 *  - Thebe (index.js and thebe.css, and require.js for widgets) is loaded
 *    from this site's _static/thebe/ folder (THEBE_JS_URL, set by
 *    live_code.py), never from a CDN, and only when the button is clicked;
 *  - Thebe 0.9's bootstrap() starts a kernel and honours the page's choice
 *    of server only when told so explicitly, so the options are passed here;
 *  - every code cell gets an output area, because Thebe 0.9 pairs cells and
 *    outputs by position.
 * Which server runs the code comes from the page's
 * <script type="text/x-thebe-config"> blocks, which Thebe merges in order:
 * Binder by default (sphinx-thebe's block), or a local Jupyter server when
 * scripts/serve_live.py adds a block with useBinder: false and serverSettings.
 */
/* global THEBE_JS_URL, thebe_selector, thebe_selector_input, thebe_selector_output, kernelName */

var bpbookThebeLoading = null;

var loadThebe = () => {
  if (bpbookThebeLoading === null) {
    bpbookThebeLoading = new Promise((resolve, reject) => {
      if (typeof window.thebelab !== "undefined") {
        resolve();
        return;
      }
      // Thebe's widget manager loads require.js from here (see live_code.py).
      window.BPBOOK_REQUIREJS_URL = new URL("require.js", THEBE_JS_URL).href;
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = new URL("thebe.css", THEBE_JS_URL).href;
      document.head.appendChild(css);
      const script = document.createElement("script");
      script.src = THEBE_JS_URL;
      script.addEventListener("load", () => resolve());
      script.addEventListener("error", () =>
        reject(new Error(`could not load Thebe from ${THEBE_JS_URL}`))
      );
      document.head.appendChild(script);
    });
  }
  return bpbookThebeLoading;
};

var setLaunchButtonText = (html) => {
  document.querySelectorAll(".thebe-launch-button").forEach((button) => {
    button.innerHTML = html;
  });
};

var setLaunchButtonStatus = (where, status) => {
  document.querySelectorAll(".thebe-launch-button").forEach((button) => {
    button.className = button.className.replace(/\bthebe-status-\S+/g, "").trim();
    button.classList.add(`thebe-status-${status}`);
  });
  setLaunchButtonText(
    `<span class='launch_msg'>${where}: </span><span class='status'>${status}</span>`
  );
};

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
    codeCellText.insertAdjacentElement("afterend", codeCellOutput);
    codeCell.querySelectorAll("button.copybtn").forEach((el) => el.remove());
  });
};

var initThebe = async () => {
  if (document.querySelectorAll(".thebe-cell").length > 0) {
    return; // already live
  }
  setLaunchButtonText("Loading Thebe…");
  try {
    await loadThebe();
  } catch (error) {
    console.error("[bpbook-thebe]", error);
    setLaunchButtonStatus("Thebe", "failed");
    return;
  }
  const thebe = window.thebelab;
  const pageConfig = thebe.getPageConfig();
  const useBinder = pageConfig.useBinder !== false;
  const where = useBinder ? "Binder" : "Jupyter server";
  thebe.on("status", (_name, data) => {
    if (data && data.status) {
      setLaunchButtonStatus(where, data.status);
    }
  });
  modifyDOMForThebe();
  try {
    await thebe.bootstrap({
      useBinder: useBinder,
      requestKernel: true,
      mountStatusWidget: false,
      mountActivateWidget: false,
      // The book already runs MathJax 3; Thebe's default would load MathJax 2 from a CDN.
      mathjaxUrl: false,
      kernelOptions: { kernelName: kernelName },
    });
  } catch (error) {
    console.error("[bpbook-thebe] could not start a kernel", error);
    setLaunchButtonStatus(where, "failed");
    return;
  }
  setLaunchButtonStatus(where, "ready");
  document.querySelectorAll(".thebe-init, .tag_thebe-init").forEach((cell) => {
    const run = cell.querySelector(".thebe-run-button");
    if (run) {
      run.click();
    }
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
