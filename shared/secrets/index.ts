export { ENVELOPE_PREFIX, isSealed, keyIdOf } from './envelope.ts';
export { Keyring } from './keyring.ts';
export { KeyFile, SECRET_KEY_FILE_ENV, addKeyToFile, newKeyLine, parseKeyFile, readKeyring, secretKeyFilePath } from './key-file.ts';
export { openPassword, passwordContext, resealPassword, sealPassword, type KeySource } from './data-source-password.ts';
export { openPipeSecret, pipeSecretContext, sealNewPipeSecret } from './pipe-secret.ts';
export { processKeys, type ProcessKeys } from './key-source.ts';
export { resealDataSources, type ResealResult, type ResealScope } from './reseal-data-sources.ts';
