// Names shared by the service modules and the tests: the diagnostic source and the special codes.
export const SOURCE = 'stateful-ha';
export const SYNTAX_CODE = 'yaml-syntax';
export const SKIPPED_CODE = 'file-skipped';
export const CONFIG_CODE = 'config';
export const HIDDEN_CODE = 'more-problems';

/**
 * Diagnostics published per file, the last one saying how many more there are. VS Code keeps at most 1,000
 * per file and drops the rest, but only after the extension host has received and converted them all:
 * 20,000 findings with their quick fixes were a 21 MB message.
 */
export const MAX_PUBLISHED = 1000;
