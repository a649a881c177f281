import { plain, type Paint } from './paint.js';

export interface ColorInputs {
  /** false when --no-color was given. */
  flag: boolean;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

/** Colours only on a terminal; NO_COLOR (https://no-color.org) and --no-color always win. */
export function useColor({ flag, env, isTTY }: ColorInputs): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}

/** Styles for a stream; chalk is loaded only when colours are on, which piped output and CI never are. */
export async function paintFor(stream: 'stdout' | 'stderr', enabled: boolean): Promise<Paint> {
  if (!enabled) return plain;
  const { Chalk, supportsColor, supportsColorStderr } = await import('chalk');
  const detected = stream === 'stdout' ? supportsColor : supportsColorStderr;
  const chalk = new Chalk({ level: detected ? detected.level : 1 });
  return { bold: chalk.bold, dim: chalk.dim, red: chalk.red, yellow: chalk.yellow, green: chalk.green, cyan: chalk.cyan };
}
