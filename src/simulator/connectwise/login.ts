// `GET /login/companyinfo/{companyId}`: codebase discovery (API-NOTES §1, documented). It answers
// with PascalCase members and string flags, as ConnectWise does; clients build
// `{scheme}://{host}/{Codebase}apis/3.0` from it. The sandbox is an on-premise-style server:
// its codebase is v4_6_release (so IsCloud is "False", agreeing with /system/info's isCloud).
// An unknown company is answered 404 [inf].
import { SANDBOX_CREDENTIALS } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import type { Reply } from '../router.js';
import { CONNECTWISE_BASE } from './index.js';

export const SANDBOX_VERSION = { code: 'v2022.1', number: 'v4.6.2022.1' };

export function companyInfo(method: string, companyId: string): Reply {
  if (method !== 'GET') throw new ApiError(405, { code: 'MethodNotAllowed', message: `${method} is not allowed on /login/companyinfo` });
  if (companyId.toLowerCase() !== SANDBOX_CREDENTIALS.companyId.toLowerCase()) throw notFound(`Company ${companyId} not found`);
  return {
    status: 200,
    body: {
      CompanyName: 'Dropwise Sandbox',
      Codebase: `${CONNECTWISE_BASE.split('/')[1] ?? ''}/`,
      VersionCode: SANDBOX_VERSION.code,
      VersionNumber: SANDBOX_VERSION.number,
      CompanyID: SANDBOX_CREDENTIALS.companyId,
      IsCloud: 'False',
    },
  };
}
