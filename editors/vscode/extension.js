// The bpl extension: starts `bpl lsp` (the language server of the bpl package) for .bpl files
// and shows a diagnostic code's explanation (`bpl explain CODE`) when its link is followed.
"use strict";

const childProcess = require("child_process");
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

// Diagnostics link their code to bpl-explain:CODE (compiler/lsp/reports.py).
const EXPLAIN_SCHEME = "bpl-explain";

let client;

function serverCommand() {
  return vscode.workspace.getConfiguration("bpl").get("server.command", "bpl");
}

class ExplainProvider {
  provideTextDocumentContent(uri) {
    const code = uri.path.replace(/[^A-Za-z0-9]/g, "");
    return new Promise((resolve) => {
      childProcess.execFile(serverCommand(), ["explain", code], (error, stdout, stderr) => {
        resolve(error ? `bpl explain ${code}: ${stderr || error.message}` : stdout);
      });
    });
  }
}

function activate(context) {
  const settings = vscode.workspace.getConfiguration("bpl");
  const command = serverCommand();
  const serverOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "bpl" },
      { scheme: "untitled", language: "bpl" },
    ],
    initializationOptions: { debounce_ms: settings.get("server.debounceMs", 300) },
  };
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, new ExplainProvider()),
  );
  client = new LanguageClient("bpl", "bpl language server", serverOptions, clientOptions);
  client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `bpl: cannot start '${command} lsp' (${error.message}). Install bpl with its lsp extra ` +
        "(pip install 'bpl[lsp]') or set bpl.server.command to its path.",
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
