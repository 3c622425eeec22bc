// Checks docker-compose.yml without a Docker engine: valid YAML, and the structure every service
// must keep as containers are added (an image or a build, a healthcheck, dependencies and volumes
// that exist, no host port used twice).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

const repoRoot = path.resolve(__dirname, '..');
const composePath = path.join(repoRoot, 'docker-compose.yml');

type Service = {
  image?: unknown;
  build?: unknown;
  healthcheck?: { test?: unknown; disable?: unknown };
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: unknown[];
  volumes?: unknown[];
};
type Compose = { services?: Record<string, Service>; volumes?: Record<string, unknown> };

function loadCompose(): { compose: Compose; errors: string[]; warnings: string[] } {
  // parseDocument reports every problem (duplicate keys included) instead of throwing on the first.
  const document = parseDocument(readFileSync(composePath, 'utf8'), { prettyErrors: true });
  return {
    compose: (document.toJS() ?? {}) as Compose,
    errors: document.errors.map((e) => e.message),
    warnings: document.warnings.map((w) => w.message),
  };
}

const { compose, errors, warnings } = loadCompose();
const services = Object.entries(compose.services ?? {});

/** `depends_on` in either of its two forms, as [name, condition]. */
function dependencies(service: Service): Array<[string, string | undefined]> {
  const dependsOn = service.depends_on;
  if (dependsOn === undefined) return [];
  if (Array.isArray(dependsOn)) return dependsOn.map((name) => [name, undefined]);
  return Object.entries(dependsOn).map(([name, options]) => [name, options?.condition]);
}

/** Volume mounts in short (`source:target[:mode]`) or long (`{ type, source, target }`) syntax. */
function mounts(service: Service): Array<{ source: string; bind: boolean }> {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'string') {
      const source = volume.split(':')[0] ?? '';
      return volume.includes(':') ? [{ source, bind: /^[./~]/.test(source) }] : []; // anonymous volume
    }
    const long = volume as { type?: string; source?: string };
    return long.source ? [{ source: long.source, bind: long.type === 'bind' }] : [];
  });
}

/** Published host ports of a service (`"5432:5432"`, `"127.0.0.1:5432:5432"`, `{ published }`). */
function hostPorts(service: Service): string[] {
  return (service.ports ?? []).flatMap((port) => {
    if (typeof port === 'object' && port !== null) {
      const published = (port as { published?: unknown }).published;
      return published === undefined ? [] : [String(published)];
    }
    const parts = String(port).split(':');
    return parts.length >= 2 ? [parts[parts.length - 2] as string] : []; // a lone container port publishes none
  });
}

describe('docker-compose.yml', () => {
  it('is valid YAML', () => {
    expect({ errors, warnings }).toEqual({ errors: [], warnings: [] });
  });

  it('runs EventStoreDB, PostgreSQL and RabbitMQ', () => {
    expect(Object.keys(compose.services ?? {})).toEqual(expect.arrayContaining(['eventstoredb', 'postgres', 'rabbitmq']));
  });

  describe.each(services)('service %s', (name, service) => {
    it('has an image or a build', () => {
      expect(service.image !== undefined || service.build !== undefined).toBe(true);
    });

    it('has a healthcheck', () => {
      expect(service.healthcheck?.disable).not.toBe(true);
      expect(service.healthcheck?.test).toBeTruthy();
      expect(service.healthcheck?.test).not.toEqual(['NONE']);
    });

    it('depends only on services that are defined', () => {
      const defined = services.map(([other]) => other);
      for (const [dependency, condition] of dependencies(service)) {
        expect({ service: name, dependsOn: dependency, defined: defined.includes(dependency) }).toEqual({
          service: name,
          dependsOn: dependency,
          defined: true,
        });
        if (condition !== undefined) {
          expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        }
      }
    });

    it('mounts only declared named volumes and files that exist', () => {
      for (const { source, bind } of mounts(service)) {
        if (bind) expect({ bindMount: source, exists: existsSync(path.resolve(repoRoot, source)) }).toEqual({ bindMount: source, exists: true });
        else expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    });
  });

  it('publishes each host port at most once', () => {
    const published = services.flatMap(([, service]) => hostPorts(service));
    expect(published.filter((port, index) => published.indexOf(port) !== index)).toEqual([]);
  });
});

describe('the Dockerfile', () => {
  it('copies every workspace package.json before npm ci, so that the lock file installs', () => {
    const root = path.join(__dirname, '..');
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const workspaces = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces.flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((entry) => entry.isDirectory() && existsSync(path.join(root, pattern.slice(0, -2), entry.name, 'package.json')))
            .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
        : [pattern],
    );
    expect(workspaces.length).toBeGreaterThan(5);
    const missing = workspaces.filter((workspace) => !dockerfile.includes(`COPY ${workspace}/package.json ${workspace}/`));
    expect(missing).toEqual([]);
  });
});
