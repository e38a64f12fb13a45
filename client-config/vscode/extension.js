// Starts kaniko-lsp for Jenkinsfiles (VS Code's Groovy language), Dockerfiles and pod YAML.
const { execFile } = require("child_process");
const os = require("os");
const path = require("path");
const { commands, env, extensions, Uri, window, workspace } = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

const SECTION = "kanikoLsp";
const CLIENT_SETTINGS = ["serverPath", "pythonPath"];
const INSTALL_HELP = "https://github.com/kaniko-lsp/kaniko-lsp/tree/HEAD/client-config/vscode#install";
let client;

function runs(command, args) {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 15000 }, (error) => resolve(!error));
  });
}

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

// serverPath, else kaniko-lsp on PATH (pipx, pip --user), else the Python extension's interpreter.
async function serverCommand(settings) {
  const serverPath = settings.get("serverPath");
  if (serverPath) {
    return { command: serverPath, args: ["serve"] };
  }
  // pipx's default bin directory, for a desktop session started without the login shell's PATH
  for (const command of ["kaniko-lsp", path.join(os.homedir(), ".local", "bin", "kaniko-lsp")]) {
    if (await runs(command, ["--version"])) {
      return { command, args: ["serve"] };
    }
  }
  const python = settings.get("pythonPath") || (await pythonFromPythonExtension());
  if (python && (await runs(python, ["-c", "import kaniko_lsp"]))) {
    return { command: python, args: ["-m", "kaniko_lsp", "serve"] };
  }
  return undefined;
}

// The server's own settings: what the extension uses to find the server stays here.
function serverSettings(settings) {
  const values = {};
  for (const key of ["fixOnSave", "docsBaseUrl"]) {
    values[key] = settings.get(key);
  }
  return values;
}

async function start() {
  const settings = workspace.getConfiguration(SECTION);
  const server = await serverCommand(settings);
  if (!server) {
    const choice = await window.showErrorMessage(
      "kaniko-lsp is not installed: `pipx install` it (or `pip install` it into the Python " +
      "environment VS Code uses), or set kanikoLsp.serverPath.", "How to install");
    if (choice) {
      env.openExternal(Uri.parse(INSTALL_HELP));
    }
    return;
  }
  const executable = { ...server, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "groovy" },
      { scheme: "file", language: "dockerfile" },
      { scheme: "file", language: "yaml" },
    ],
    initializationOptions: { kanikoLsp: serverSettings(settings) },
    middleware: {
      workspace: {
        // answer workspace/configuration with the server's settings only
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          return answers.map((answer, n) => (params.items[n].section === SECTION && answer
            ? serverSettings(workspace.getConfiguration(SECTION, params.items[n].scopeUri
              ? Uri.parse(params.items[n].scopeUri) : undefined))
            : answer));
        },
      },
    },
  };
  client = new LanguageClient("kanikoLsp", "kaniko-lsp", { run: executable, debug: executable }, clientOptions);
  try {
    await client.start();
  } catch (error) {
    window.showErrorMessage(`kaniko-lsp could not start (${executable.command}): ${error}`);
  }
}

async function restart() {
  if (client) {
    await client.stop();
    client = undefined;
  }
  await start();
}

async function activate(context) {
  await start();
  context.subscriptions.push(
    commands.registerCommand("kanikoLsp.restart", restart),
    workspace.onDidChangeConfiguration(async (event) => {
      if (CLIENT_SETTINGS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        await restart();  // a different server
      } else if (event.affectsConfiguration(SECTION) && client) {
        client.sendNotification("workspace/didChangeConfiguration", { settings: null });
      }
    }),
    { dispose: () => (client ? client.stop() : undefined) },
  );
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
