import { ConfigError, loadConfig } from './config';

describe('loading the configuration', () => {
  it('runs on the embedded default when nothing is set', () => {
    expect(loadConfig({}, { dotenv: false })).toEqual({ PORT: 3000, BDBAZAR_DATA_DIR: '.data', BDBAZAR_EVENT_STORE: 'embedded', LOG_LEVEL: 'info' });
  });

  it('accepts a PostgreSQL event store with its URL', () => {
    const config = loadConfig({ BDBAZAR_EVENT_STORE: 'postgres', BDBAZAR_EVENT_STORE_URL: 'postgres://u@db:5432/events', PORT: '8080' }, { dotenv: false });
    expect(config).toEqual(expect.objectContaining({ BDBAZAR_EVENT_STORE: 'postgres', BDBAZAR_EVENT_STORE_URL: 'postgres://u@db:5432/events', PORT: 8080 }));
  });

  it('names every wrong variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ BDBAZAR_EVENT_STORE: 'postgres', PORT: 'eighty', BDBAZAR_RABBITMQ_URL: 'http://rabbit', LOG_LEVEL: 'loud' }, { dotenv: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const variable of ['PORT', 'BDBAZAR_EVENT_STORE_URL', 'BDBAZAR_RABBITMQ_URL', 'LOG_LEVEL']) expect(message).toContain(variable);
    expect(message).toContain('must be a postgres:// URL when BDBAZAR_EVENT_STORE=postgres');
  });

  it('refuses an EventStoreDB store given a PostgreSQL URL', () => {
    expect(() => loadConfig({ BDBAZAR_EVENT_STORE: 'eventstoredb', BDBAZAR_EVENT_STORE_URL: 'postgres://x/y' }, { dotenv: false })).toThrow(/esdb:\/\/ URL/);
  });
});
