import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: undefined,
      dataDir: './.data',
      port: 4000,
      metricsPort: undefined,
      production: false,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 1_209_600,
      sessionTtlSeconds: 2_592_000,
      refreshReuseGraceSeconds: 10,
      freshAuthSeconds: 600,
      loginMaxFailures: 10,
      signupMaxPerIp: 20,
      tokenCacheSize: 100_000,
      tokenCacheLeaseSeconds: 5,
      trustProxy: false,
      logLevel: 'info',
      migrateOnStart: true,
      pruneIntervalSeconds: 3600,
      securityEventRetentionDays: 365,
      shutdownTimeoutSeconds: 10,
      corsOrigins: [],
      refreshCookieSameSite: 'Strict',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/t',
      DATA_DIR: '/var/tessera',
      PORT: '8080',
      METRICS_PORT: '9464',
      NODE_ENV: 'production',
      ACCESS_TOKEN_TTL_SECONDS: '60',
      REFRESH_TOKEN_TTL_SECONDS: '3600',
      SESSION_TTL_SECONDS: '86400',
      REFRESH_REUSE_GRACE_SECONDS: '5',
      FRESH_AUTH_SECONDS: '120',
      LOGIN_MAX_FAILURES: '3',
      SIGNUP_MAX_PER_IP: '5',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'debug',
      MIGRATE_ON_START: 'false',
      PRUNE_INTERVAL_SECONDS: '0',
      SECURITY_EVENT_RETENTION_DAYS: '30',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/t',
      dataDir: '/var/tessera',
      port: 8080,
      metricsPort: 9464,
      production: true,
      accessTokenTtlSeconds: 60,
      refreshTokenTtlSeconds: 3600,
      sessionTtlSeconds: 86_400,
      refreshReuseGraceSeconds: 5,
      freshAuthSeconds: 120,
      loginMaxFailures: 3,
      signupMaxPerIp: 5,
      trustProxy: true,
      logLevel: 'debug',
      migrateOnStart: false,
      pruneIntervalSeconds: 0,
      securityEventRetentionDays: 30,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['METRICS_PORT', 'metrics'],
    ['METRICS_PORT', '70000'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
    ['ACCESS_TOKEN_TTL_SECONDS', '-5'],
    ['SESSION_TTL_SECONDS', '1.5'],
    ['LOGIN_MAX_FAILURES', 'ten'],
    ['TRUST_PROXY', 'maybe'],
    ['MIGRATE_ON_START', 'sometimes'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://db/x'],
    ['PRUNE_INTERVAL_SECONDS', 'hourly'],
    ['SECURITY_EVENT_RETENTION_DAYS', '0'],
    ['SIGNUP_MAX_PER_IP', '0'],
  ])('stops on a bad %s (%s) with a message naming it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable} `));
  });

  it('refuses lifetimes that contradict each other (access <= refresh <= session), naming both', () => {
    expect(() =>
      loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '3600', REFRESH_TOKEN_TTL_SECONDS: '60' }),
    ).toThrow(
      /^ACCESS_TOKEN_TTL_SECONDS \(3600\) must not exceed REFRESH_TOKEN_TTL_SECONDS \(60\)/,
    );
    expect(() =>
      loadConfig({ REFRESH_TOKEN_TTL_SECONDS: '7200', SESSION_TTL_SECONDS: '3600' }),
    ).toThrow(/^REFRESH_TOKEN_TTL_SECONDS \(7200\) must not exceed SESSION_TTL_SECONDS \(3600\)/);
    expect(
      loadConfig({
        ACCESS_TOKEN_TTL_SECONDS: '60',
        REFRESH_TOKEN_TTL_SECONDS: '60',
        SESSION_TTL_SECONDS: '60',
      }).sessionTtlSeconds,
    ).toBe(60);
  });

  it('never serves /metrics on the API port: METRICS_PORT equal to PORT stops the start', () => {
    expect(() => loadConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(
      /^METRICS_PORT must differ from PORT \(8080\)/,
    );
    expect(() => loadConfig({ METRICS_PORT: '4000' })).toThrow(/^METRICS_PORT must differ/);
    // 0 is "any free port", a different one for each listener.
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' }).metricsPort).toBe(0);
  });

  it('reads CORS_ORIGINS as exact origins, in the form browsers send them', () => {
    const config = loadConfig({
      CORS_ORIGINS:
        ' https://app.example.com , http://localhost:5173,HTTPS://Admin.Example.com:443',
    });
    expect(config.corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
      'https://admin.example.com',
    ]);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
  });

  it.each([
    ['*', /wildcard/],
    ['https://*.example.com', /wildcard/],
    ['https://app.example.com/', /no path/],
    ['https://app.example.com/app', /no path/],
    ['https://app.example.com?x=1', /no path/],
    ['app.example.com', /http or https/],
    ['ftp://app.example.com', /http or https/],
    ['https://user@app.example.com', /http or https/],
    ['https://app.example.com:99999', /not valid/],
    ['https://a.example.com,,https://b.example.com', /empty/],
    ['null', /http or https/],
  ])('stops on a CORS_ORIGINS entry that is not an exact origin (%s)', (value, problem) => {
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/^CORS_ORIGINS entry "/);
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(problem);
  });

  it('refuses a plain-http CORS origin in production, localhost aside', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/tessera' };
    expect(() => loadConfig({ ...production, CORS_ORIGINS: 'http://app.example.com' })).toThrow(
      /^CORS_ORIGINS entry "http:\/\/app.example.com" is plain http/,
    );
    expect(
      loadConfig({ ...production, CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' })
        .corsOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({ CORS_ORIGINS: 'http://app.example.com' }).corsOrigins).toEqual([
      'http://app.example.com',
    ]);
  });

  it('reads REFRESH_COOKIE_SAMESITE as Strict, Lax or None, and stops on anything else', () => {
    expect(loadConfig({ REFRESH_COOKIE_SAMESITE: 'lax' }).refreshCookieSameSite).toBe('Lax');
    expect(loadConfig({ REFRESH_COOKIE_SAMESITE: 'None' }).refreshCookieSameSite).toBe('None');
    expect(() => loadConfig({ REFRESH_COOKIE_SAMESITE: 'loose' })).toThrow(
      /^REFRESH_COOKIE_SAMESITE must be one of Strict, Lax, None, got "loose"$/,
    );
  });

  it('refuses the embedded database in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^DATABASE_URL .*production/);
  });

  it('never repeats a DATABASE_URL in its message, since it may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'not a url s3cret' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cret') }),
    );
  });
});
