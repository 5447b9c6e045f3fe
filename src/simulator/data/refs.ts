// Builders for the small reference objects ConnectWise embeds in records (`{id, name, _info:{x_href}}`),
// with hrefs pointing back at this sandbox so a client can follow them.
import type { Json } from '../query/list-query.js';

export class Refs {
  constructor(readonly apiUrl: string) {}

  href(path: string): string {
    return `${this.apiUrl}${path}`;
  }

  /** `{id, name, _info: {<hrefKey>: <apiUrl><path>/<id>}}`, plus any extra members (identifier, …). */
  make(hrefKey: string, path: string, id: number, name: string | undefined, extra: Json = {}): Json {
    const ref: Json = { id };
    if (extra['identifier'] !== undefined) ref['identifier'] = extra['identifier'];
    if (name !== undefined) ref['name'] = name;
    for (const [k, v] of Object.entries(extra)) if (k !== 'identifier') ref[k] = v;
    ref['_info'] = { [hrefKey]: this.href(`${path}/${id}`) };
    return ref;
  }

  company(c: { id: number; identifier: string; name: string }): Json {
    return this.make('company_href', '/company/companies', c.id, c.name, { identifier: c.identifier });
  }

  site(companyId: number, s: { id: number; name: string }): Json {
    return this.make('site_href', `/company/companies/${companyId}/sites`, s.id, s.name);
  }

  member(m: Json): Json {
    return this.make('member_href', '/system/members', Number(m['id']), `${String(m['firstName'])} ${String(m['lastName'])}`, {
      identifier: m['identifier'],
    });
  }

  named(kind: string, path: string, item: { id: number; name: string }): Json {
    return this.make(`${kind}_href`, path, item.id, item.name);
  }
}
