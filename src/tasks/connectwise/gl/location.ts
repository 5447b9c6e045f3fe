// "Owner Level (Location) Name": looked up in /system/locations when no location id is given. When
// no location has that name, the seed's rule applies: every location is exported.
import type { ConnectWiseClient } from '../../../connectors/connectwise/client.js';

export type LocationChoice =
  | { locationId: number | undefined }
  /** No location has this name: the export covers every location. */
  | { locationId: undefined; notFound: string };

export async function chooseLocation(client: ConnectWiseClient, locationId: number | undefined, locationName: string | undefined, signal?: AbortSignal): Promise<LocationChoice> {
  if (locationId !== undefined || locationName === undefined) return { locationId };
  const quoted = `"${locationName.replace(/["\\]/g, '\\$&')}"`;
  const found = await client.get<{ id?: number }[]>('/system/locations', { conditions: `name = ${quoted}`, pageSize: 1, fields: 'id,name' }, signal);
  const id = found[0]?.id;
  return typeof id === 'number' ? { locationId: id } : { locationId: undefined, notFound: locationName };
}
