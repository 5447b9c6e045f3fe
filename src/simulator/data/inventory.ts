// Warehouses, their bins and shipment methods: the procurement setup GL lines point at
// (`warehouseBin`, `shipmentMethod`). Shapes follow ConnectWise's Warehouse, WarehouseBin and
// ShipmentMethod (2025.1); small, generated once per reset.
import type { Json } from '../query/list-query.js';
import { Rng, compact, seededStamps } from './random.js';
import type { Refs } from './refs.js';

export const SHIPMENT_METHODS = [
  { id: 1, name: 'Ground', trackingUrl: '' },
  { id: 2, name: 'Next Day Air', trackingUrl: 'https://tracking.example.com/air?n=' },
  { id: 3, name: 'Freight', trackingUrl: '' },
  { id: 4, name: 'Courier', trackingUrl: 'https://tracking.example.com/courier?n=' },
  { id: 5, name: 'Customer Pickup', trackingUrl: '' },
  { id: 9, name: 'USPS Priority', trackingUrl: 'https://tools.usps.com/go/TrackConfirmAction?tLabels=' },
];

const WAREHOUSE_NAMES = ['Main Warehouse', 'London Stock', 'Copenhagen Stock'];
export const BINS_PER_WAREHOUSE = 3;

export interface InventoryData {
  warehouses: Map<number, Json>;
  warehouseBins: Map<number, Json>;
  shipmentMethods: Map<number, Json>;
}

type Named = { id: number; name: string };

/**
 * Warehouse w (1-based) owns bins (w-1)*BINS_PER_WAREHOUSE+1 … w*BINS_PER_WAREHOUSE, the first its
 * default. The owner (the company the warehouses belong to) and locations come from the reference data.
 */
export function buildInventory(seed: number, refs: Refs, owner: { company: Named & { identifier: string }; site: Named | undefined }, locations: readonly Named[]): InventoryData {
  const warehouses = new Map<number, Json>();
  const warehouseBins = new Map<number, Json>();
  const department = { id: 10, identifier: 'Services', name: 'Services' };
  WAREHOUSE_NAMES.forEach((name, index) => {
    const id = index + 1;
    const location = locations[index % locations.length] ?? { id: 1, name: 'Head Office' };
    const rng = new Rng(seed, 12, id);
    warehouses.set(
      id,
      compact({
        id,
        name,
        company: refs.company(owner.company),
        site: owner.site ? refs.site(owner.company.id, owner.site) : undefined,
        department,
        location: refs.named('location', '/system/locations', location),
        locationXref: location.name,
        inactiveFlag: false,
        lockedFlag: false,
        locationDefaultFlag: true,
        overallDefaultFlag: id === 1,
        _info: seededStamps(rng),
      }),
    );
    const warehouse = refs.make('warehouse_href', '/procurement/warehouses', id, name, { lockedFlag: false });
    for (let b = 1; b <= BINS_PER_WAREHOUSE; b++) {
      const binId = index * BINS_PER_WAREHOUSE + b;
      const binRng = new Rng(seed, 13, binId);
      warehouseBins.set(binId, {
        id: binId,
        name: `${name.split(' ')[0] ?? 'Bin'}-${String(b).padStart(2, '0')}`,
        warehouse,
        department,
        location: refs.named('location', '/system/locations', location),
        defaultFlag: b === 1,
        inactiveFlag: false,
        minQuantity: 0,
        maxQuantity: binRng.int(50, 500),
        quantityOnHand: binRng.int(0, 50),
        _info: seededStamps(binRng),
      });
    }
  });
  const shipmentMethods = new Map<number, Json>(
    SHIPMENT_METHODS.map((m) => [m.id, compact({ id: m.id, name: m.name, defaultFlag: m.id === 1, trackingUrl: m.trackingUrl || undefined, _info: seededStamps(new Rng(seed, 14, m.id)) })]),
  );
  return { warehouses, warehouseBins, shipmentMethods };
}
