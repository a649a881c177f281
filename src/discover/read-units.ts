import type { UnitUmask } from './facts.js';
import type { HostFiles } from './host-files.js';
import {
  dropInOrder,
  effectiveUmask,
  parseServiceSettings,
  SYSTEMD_DEFAULT_UMASK,
  UNIT_DIRS,
  type ServiceSettings,
} from './systemd-unit.js';

/** systemd units as files: which exist, what they start, and the UMask= they run under. */
export class UnitFiles {
  constructor(
    private readonly files: HostFiles,
    /** Whether systemd runs this host (/run/systemd/system exists): otherwise units decide nothing. */
    readonly booted: boolean,
  ) {}

  /** The unit file and its drop-ins, parsed, in the order systemd applies them. */
  private layers(unit: string): ServiceSettings[] | undefined {
    const main = UNIT_DIRS.map((dir) => `${dir}/${unit}`).find((path) => this.files.isFile(path));
    // A unit linked to /dev/null is masked: it does not run at all.
    if (!main || this.files.readlink(main) === '/dev/null') return undefined;
    const listings = UNIT_DIRS.map((dir) => ({ dir: `${dir}/${unit}.d`, names: this.files.list(`${dir}/${unit}.d`) ?? [] }));
    return [main, ...dropInOrder(listings)].flatMap((path) => {
      const text = this.files.read(path);
      return text === undefined ? [] : [parseServiceSettings(text, path)];
    });
  }

  /** The UMask= the unit runs under; undefined when systemd does not run here or the unit is unknown. */
  umaskOf(unit: string): UnitUmask | undefined {
    if (!this.booted) return undefined;
    const layers = this.layers(unit);
    if (!layers) return undefined;
    const found = effectiveUmask(layers);
    return found ? { unit, umask: found.value, file: found.file, line: found.line } : { unit, umask: SYSTEMD_DEFAULT_UMASK };
  }

  /**
   * The UMask= of the service a running process is in, if that service starts `program`: a
   * daemon started by hand from a shell sits in the shell's unit (an ssh session, a CI runner),
   * whose UMask= says nothing about it.
   */
  umaskOfService(unit: string | undefined, program: RegExp): UnitUmask | undefined {
    if (unit === undefined || !this.booted) return undefined;
    const layers = this.layers(unit);
    if (!layers?.some((layer) => layer.execStart.some((line) => program.test(line.value)))) return undefined;
    return this.umaskOf(unit);
  }

  /** The first of these units that exists, with its UMask=. */
  firstUmask(units: readonly string[]): UnitUmask | undefined {
    for (const unit of units) {
      const found = this.umaskOf(unit);
      if (found) return found;
    }
    return undefined;
  }

  /** Units whose names match, with their ExecStart= lines. */
  matching(name: RegExp): { unit: string; execStart: string[] }[] {
    if (!this.booted) return [];
    const names = new Set(UNIT_DIRS.flatMap((dir) => (this.files.list(dir) ?? []).filter((n) => name.test(n))));
    return [...names].sort().flatMap((unit) => {
      const layers = this.layers(unit);
      return layers ? [{ unit, execStart: layers.flatMap((layer) => layer.execStart.map((e) => e.value)) }] : [];
    });
  }
}
