// The ConnectWise API surface, mounted under CONNECTWISE_BASE.
import { Router } from '../router.js';
import { accountingRoutes } from './accounting.js';
import { invoiceRoutes } from './invoices.js';
import { paymentRoutes } from './payments.js';
import { referenceRoutes } from './reference.js';

export const CONNECTWISE_BASE = '/v4_6_release/apis/3.0';

export function connectWiseRouter(): Router {
  const router = new Router();
  referenceRoutes(router);
  invoiceRoutes(router);
  paymentRoutes(router);
  accountingRoutes(router);
  return router;
}
