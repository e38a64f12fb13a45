// Starts kaniko-lsp for Jenkinsfiles, pod YAML and Dockerfiles.
const { workspace, extensions, window } = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

async function pythonFromPythonExtension() {
  const python = extensions.getExtension("ms-python.python");
  if (!python) {
    return undefined;
  }
  try {
    const api = await python.activate();
    const environment = api.environments && api.environments.getActiveEnvironmentPath();
    return environment && environment.path;
  } catch (error) {
    return undefined;
  }
}

async function serverCommand(settings) {
  const serverPath = settings.get("serverPath");
  if (serverPath) {
    return { command: serverPath, args: ["serve"] };
  }
  const python = settings.get("pythonPath") || (await pythonFromPythonExtension());
  if (python) {
    return { command: python, args: ["-m", "kaniko_lsp", "serve"] };
  }
  return { command: "kaniko-lsp", args: ["serve"] };
}

async function activate(context) {
  const settings = workspace.getConfiguration("kanikoLsp");
  const executable = { ...(await serverCommand(settings)), transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "jenkinsfile" },
      { scheme: "file", language: "groovy" },
      { scheme: "file", language: "dockerfile" },
      { scheme: "file", language: "yaml" },
    ],
    synchronize: { configurationSection: "kanikoLsp" },
    initializationOptions: {
      kanikoLsp: {
        fixOnSave: settings.get("fixOnSave"),
        docsBaseUrl: settings.get("docsBaseUrl"),
      },
    },
  };
  client = new LanguageClient("kanikoLsp", "kaniko-lsp", { run: executable, debug: executable }, clientOptions);
  try {
    await client.start();
  } catch (error) {
    window.showErrorMessage(`kaniko-lsp could not start (${executable.command}): ${error}`);
  }
  context.subscriptions.push(client);
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
