/**
 * The connection budget: every database-using function (one whose environment has DATABASE_URL) holds at most
 * DB_POOL_MAX connections per instance, and FC runs at most `concurrencyConfig.reservedConcurrency` instances
 * of it, so the database sees at most Σ instances × DB_POOL_MAX connections from this project. That must fit
 * in DB_MAX_CONNECTIONS (what the database, or the pooler in front of it, admits from us).
 * @see devsapp/fc3 src/schema.json (`concurrencyConfig: { reservedConcurrency }`)
 */

/** The parts of a rendered s.yaml (`s preview -o json`) the budget reads. */
export interface RenderedSpec {
  vars?: Record<string, unknown>;
  resources: Record<
    string,
    { props?: { concurrencyConfig?: { reservedConcurrency?: unknown }; environmentVariables?: Record<string, string> } }
  >;
}

export interface BudgetLine {
  resource: string;
  instances: number;
  poolMax: number;
  connections: number;
}

export type BudgetResult =
  | { ok: true; total: number; max: number; lines: BudgetLine[] }
  | { ok: false; message: string };

const positiveInt = (value: unknown) => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : undefined;
};

export function connectionBudget(spec: RenderedSpec): BudgetResult {
  const max = positiveInt(spec.vars?.dbMaxConnections);
  if (max === undefined) return { ok: false, message: 'DB_MAX_CONNECTIONS must be a positive integer' };
  const lines: BudgetLine[] = [];
  for (const [resource, { props }] of Object.entries(spec.resources)) {
    const env = props?.environmentVariables ?? {};
    if (!('DATABASE_URL' in env)) continue;
    const instances = positiveInt(props?.concurrencyConfig?.reservedConcurrency);
    if (instances === undefined) {
      return {
        ok: false,
        message: `${resource} uses DATABASE_URL but has no concurrencyConfig.reservedConcurrency (a positive integer): its instances, and so its connections, would be unbounded`,
      };
    }
    // The drivers' default pool size when DB_POOL_MAX is not set (shared/records/pg-database.ts).
    const poolMax = positiveInt(env.DB_POOL_MAX ?? '2');
    if (poolMax === undefined) return { ok: false, message: `${resource}: DB_POOL_MAX must be a positive integer` };
    lines.push({ resource, instances, poolMax, connections: instances * poolMax });
  }
  const total = lines.reduce((sum, line) => sum + line.connections, 0);
  if (total > max) {
    const terms = lines.map((l) => `${l.resource} ${l.instances} instances × DB_POOL_MAX ${l.poolMax}`).join(' + ');
    return {
      ok: false,
      message: `connection budget exceeded: ${terms} = ${total} connections > DB_MAX_CONNECTIONS ${max}`,
    };
  }
  return { ok: true, total, max, lines };
}
