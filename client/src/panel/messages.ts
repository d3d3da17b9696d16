// The messages the panel's webview may send, as a JSON schema validated before anything acts on them.
// The webview is a web page: treat it like any untrusted input (a bug or an injected script there must not
// turn into an arbitrary command). Compiled once; no vscode import, so unit tests load it directly.
import Ajv, { type JSONSchemaType } from 'ajv';

/** Docker ids and names (services, nodes, containers): what the Engine accepts, nothing else. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$';
/** Rule ids are kebab-case. */
export const RULE_PATTERN = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';

export type PanelMessage =
  | { command: 'ready' }
  | { command: 'refresh' }
  | { command: 'openSettings' }
  | { command: 'openRule'; rule: string }
  | { command: 'failover'; service: string }
  | { command: 'restart'; service: string }
  | { command: 'decommission'; node: string }
  | { command: 'undrain'; node: string };

export const PANEL_COMMANDS = [
  'ready',
  'refresh',
  'openSettings',
  'openRule',
  'failover',
  'restart',
  'decommission',
  'undrain',
] as const;

const only = (command: string) => ({
  type: 'object',
  properties: { command: { const: command } },
  required: ['command'],
  additionalProperties: false,
});
const withArg = (command: string, arg: string, pattern: string) => ({
  type: 'object',
  properties: { command: { const: command }, [arg]: { type: 'string', pattern } },
  required: ['command', arg],
  additionalProperties: false,
});

// The oneOf branches are in PANEL_COMMANDS order (the error report relies on it).
export const PANEL_MESSAGE_SCHEMA = {
  type: 'object',
  // The enum first: an unknown command is rejected with one clear error, not eight oneOf branches.
  properties: { command: { type: 'string', enum: [...PANEL_COMMANDS] } },
  required: ['command'],
  oneOf: [
    only('ready'),
    only('refresh'),
    only('openSettings'),
    withArg('openRule', 'rule', RULE_PATTERN),
    withArg('failover', 'service', ID_PATTERN),
    withArg('restart', 'service', ID_PATTERN),
    withArg('decommission', 'node', ID_PATTERN),
    withArg('undrain', 'node', ID_PATTERN),
  ],
} as unknown as JSONSchemaType<PanelMessage>;

// allErrors: oneOf reports every branch; the most telling error is picked below.
const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile<PanelMessage>(PANEL_MESSAGE_SCHEMA);

export type Validation = { ok: true; message: PanelMessage } | { ok: false; error: string };

/** Validates one message from the webview. */
export function validatePanelMessage(raw: unknown): Validation {
  if (validate(raw)) return { ok: true, message: raw };
  // The other oneOf branches fail on `const`; the branch of the message's own command says what is wrong.
  const rank = ['type', 'enum', 'pattern', 'additionalProperties', 'required'];
  const branch = PANEL_COMMANDS.indexOf((raw as { command?: never } | null)?.command as never);
  const errors = (validate.errors ?? [])
    .filter((x) => !x.schemaPath.startsWith('#/oneOf/') || x.schemaPath.startsWith(`#/oneOf/${branch}/`))
    .sort((a, b) => (rank.indexOf(a.keyword) + 1 || 99) - (rank.indexOf(b.keyword) + 1 || 99));
  const e = errors[0];
  if (!e) return { ok: false, error: 'invalid message' };
  const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
  return { ok: false, error: `${e.instancePath || '/'} ${e.message ?? 'invalid'}${extra}` };
}

/** Messages the extension sends to the webview (it renders them as text only, never as HTML). */
export type PanelUpdate =
  { type: 'loading' } | { type: 'status'; status: unknown } | { type: 'highlight'; services: string[] };
