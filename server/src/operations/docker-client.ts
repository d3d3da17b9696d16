// dockerode, loaded on first use. Requiring it (with ssh2 and its crypto) takes ~0.2 s, which every
// `stateful-ha lint` and every language server start would pay without ever talking to Docker.
import type Docker from 'dockerode';

let dockerode: typeof Docker | undefined;

/** A dockerode client for these options. */
export function newDockerClient(options: Docker.DockerOptions): Docker {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (see above)
  dockerode ??= require('dockerode') as typeof Docker;
  return new dockerode(options);
}
