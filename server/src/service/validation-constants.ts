// Names shared by the service modules and the tests: the diagnostic source and the special codes.
export const SOURCE = 'stateful-ha';
export const SYNTAX_CODE = 'yaml-syntax';
export const SKIPPED_CODE = 'file-skipped';
export const CONFIG_CODE = 'config';
