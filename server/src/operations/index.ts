// The operations engine's public surface, for the language server and the CLI.
export * from './connection.js';
export * from './live-model.js';
export * from './plan.js';
export * from './execute.js';
