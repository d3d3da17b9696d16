// Status bar item with the workspace's problem totals (pushed by the server after each validation pass).
import * as vscode from 'vscode';
import type { Counts } from '../../server/src/service/protocol.js';

export class CountsStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'statefulHa.counts',
    vscode.StatusBarAlignment.Left,
    10,
  );

  constructor() {
    this.item.name = 'Stateful HA';
    this.item.command = 'workbench.actions.view.problems';
  }

  update(c: Counts): void {
    const total = c.errors + c.warnings + c.infos;
    this.item.text =
      total === 0
        ? '$(shield) HA'
        : `$(shield) HA $(error) ${c.errors} $(warning) ${c.warnings} $(info) ${c.infos}`;
    this.item.tooltip =
      total === 0
        ? 'Stateful HA: no problems'
        : `Stateful HA: ${c.errors} errors, ${c.warnings} warnings, ${c.infos} infos in ${c.files} files`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
