// Purchase order line items (`/procurement/purchaseorders/{id}/lineitems`), shaped like ConnectWise's
// PurchaseOrderLineItem: each names a catalog item (`product`, an IvItemReference), its warehouse,
// bin and shipment method. Generated once per reset from the purchase orders and the inventory.
import type { Json } from '../query/list-query.js';
import { Rng, seededStamps } from './random.js';
import type { Refs } from './refs.js';

/** Purchase order id → its line items, in line order. */
export function buildPurchaseOrderLines(
  seed: number,
  refs: Refs,
  purchaseOrders: Map<number, Json>,
  tables: { catalog: Map<number, Json>; warehouseBins: Map<number, Json>; shipmentMethods: Map<number, Json>; units: readonly { id: number; name: string }[] },
): Map<number, Json[]> {
  const items = [...tables.catalog.values()];
  const bins = [...tables.warehouseBins.values()];
  const methods = [...tables.shipmentMethods.values()];
  const lines = new Map<number, Json[]>();
  let lineId = 0;
  for (const poId of purchaseOrders.keys()) {
    const rng = new Rng(seed, 17, poId);
    const list: Json[] = [];
    for (let n = 1; n <= 1 + (poId % 3); n++) {
      const item = items[(poId + n) % items.length];
      const bin = bins[(poId * 2 + n) % bins.length];
      const method = methods[(poId + n) % methods.length];
      if (!item || !bin || !method) continue;
      lineId++;
      const quantity = rng.int(1, 40);
      list.push({
        id: lineId,
        closedFlag: true,
        description: String(item['description']),
        lineNumber: n,
        product: refs.make('catalog_href', '/procurement/catalog', item['id'] as number, undefined, { identifier: item['identifier'] }),
        purchaseOrderId: poId,
        quantity,
        receivedQuantity: quantity,
        shipmentMethod: refs.named('shipmentMethod', '/procurement/shipmentmethods', { id: method['id'] as number, name: String(method['name']) }),
        unitCost: typeof item['cost'] === 'number' ? item['cost'] : 0,
        unitOfMeasure: tables.units[1] ?? { id: 13, name: 'Each' },
        warehouse: bin['warehouse'],
        warehouseBin: refs.make('warehouseBin_href', '/procurement/warehouseBins', bin['id'] as number, String(bin['name'])),
        _info: seededStamps(rng),
      });
    }
    lines.set(poId, list);
  }
  return lines;
}
