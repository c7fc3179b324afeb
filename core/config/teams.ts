import * as z from 'zod';

/**
 * Service → owning team, from a delivery config's `services.<name>.team` (the extended format; configs without
 * teams give {}). Read loosely: the config itself is validated by parseDeliveryConfig. DORA team queries use it.
 */
const Teams = z.looseObject({ services: z.record(z.string(), z.looseObject({ team: z.string().min(1).optional() })).optional() });

export function teamsOf(raw: unknown): Record<string, string> {
  const r = Teams.safeParse(raw);
  if (!r.success || !r.data.services) return {};
  return Object.fromEntries(Object.entries(r.data.services).flatMap(([name, s]) => (s.team ? [[name, s.team]] : [])));
}

export class InvalidTeamsError extends Error {
  override readonly name = 'InvalidTeamsError';
}

/** The DORA_TEAMS setting (JSON object service → team) of the API function; {} when unset. */
export function parseTeams(text: string | undefined): Record<string, string> {
  if (!text?.trim()) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidTeamsError('DORA_TEAMS is not valid JSON');
  }
  const r = z.record(z.string().min(1), z.string().min(1)).safeParse(json);
  if (!r.success) throw new InvalidTeamsError(`DORA_TEAMS must be a JSON object of service → team: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}
