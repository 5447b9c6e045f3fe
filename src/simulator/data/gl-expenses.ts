// Unposted expenses: their `/finance/accounting/unpostedexpenses` form, their GLExport expense and,
// for reimbursable ones, the bill owed to the member.
import type { Json } from '../query/list-query.js';
import type { GlRecords } from './gl-records.js';
import { EXPENSE_GL_BASE } from './gl-records.js';
import { DAY, Rng, compact, glDate, isoZ } from './random.js';
import { currencyRef } from './reference.js';

export class ExpenseGl {
  constructor(private readonly gl: GlRecords) {}

  unposted(k: number): Json {
    const facts = this.gl.facts('expense', k);
    const e = this.facts(k);
    return compact({
      id: k,
      locationId: facts.locationId,
      departmentId: 10,
      company: this.gl.companyRef(facts.companyId),
      accountNumber: '6000',
      creditAccount: '2100',
      expenseDetailId: 5_000 + k,
      expenseType: { id: e.typeId, name: e.typeName },
      classification: e.classification,
      glType: 'EE',
      member: this.gl.ref.refs.member(e.member),
      dateExpense: isoZ(facts.date),
      chargeCode: { id: 1, name: 'Travel' },
      inPolicy: true,
      paymentMethod: { id: 1, name: e.classification === 'Reimbursable' ? 'Personal Card' : 'Company Card' },
      currency: currencyRef(this.gl.ref.refs, 1),
      total: e.total,
      billableAmount: e.billable ? e.total : 0,
      nonBillableAmount: e.billable ? 0 : e.total,
      project: e.project,
      avalaraTaxFlag: false,
      itemTaxableFlag: false,
      salesTaxAmount: 0,
      _info: this.gl.stamps('expense', k, facts.date),
    });
  }
  private facts(k: number): { member: Json; total: number; billable: boolean; classification: string; typeId: number; typeName: string; project: Json | undefined } {
    const rng = new Rng(this.gl.seed, 41, k);
    const member = this.gl.ref.members.get(1 + rng.int(0, this.gl.ref.members.size - 1)) ?? {};
    const project = this.gl.ref.projects.get(rng.int(1, this.gl.ref.projects.size + 3));
    const [typeId, typeName] = rng.pick([[1, 'Mileage'], [2, 'Meals'], [3, 'Hotel'], [4, 'Airfare']] as const);
    return {
      member,
      total: rng.money(5, 800),
      billable: rng.chance(0.5),
      classification: rng.pick(['Reimbursable', 'NonReimbursable', 'Reimbursable'] as const),
      typeId,
      typeName,
      project: project ? this.gl.named('project', '/project/projects', { id: project['id'] as number, name: String(project['name']) }) : undefined,
    };
  }
  expense(k: number): Json {
    const facts = this.gl.facts('expense', k);
    const e = this.facts(k);
    const company = this.gl.company(facts.companyId);
    const entryId = EXPENSE_GL_BASE + k;
    const documentDate = glDate(facts.date);
    const member = { id: e.member['id'], identifier: e.member['identifier'], name: `${String(e.member['firstName'])} ${String(e.member['lastName'])}` };
    return {
      id: entryId,
      documentDate,
      documentType: 'EXPENSE',
      apAccountNumber: '2100',
      apClass: '',
      accountNumber: '6000',
      glClass: '',
      glTypeId: 'EE',
      memo: e.typeName,
      description: `${e.typeName} expense`,
      periodStartDate: documentDate,
      periodEndDate: glDate(facts.date + 6 * DAY),
      member,
      vendorNumber: String(e.member['vendorNumber'] ?? ''),
      company: { id: company.id, identifier: company.identifier },
      companyAccountNumber: company['accountNumber'],
      project: e.project,
      currency: currencyRef(this.gl.ref.refs, 1),
      total: e.total,
      offset: { id: entryId, documentDate, documentType: 'EXPENSE', accountNumber: '2100', glTypeId: 'EO', glClass: '', member, memo: e.typeName, description: 'Expense offset', total: -e.total },
    };
  }
  /** Reimbursable expenses are owed to the member, so each also appears as a bill. */
  expenseBill(k: number): Json | undefined {
    const e = this.facts(k);
    if (e.classification !== 'Reimbursable') return undefined;
    const facts = this.gl.facts('expense', k);
    const company = this.gl.company(facts.companyId);
    const entryId = EXPENSE_GL_BASE + k;
    const documentDate = glDate(facts.date);
    return {
      id: entryId,
      documentDate,
      documentType: 'BILL',
      documentNumber: `EXP${k}`,
      memo: e.typeName,
      glClass: '',
      apAccountNumber: '2100',
      member: { id: e.member['id'], identifier: e.member['identifier'], name: `${String(e.member['firstName'])} ${String(e.member['lastName'])}` },
      vendorNumber: String(e.member['vendorNumber'] ?? ''),
      currency: currencyRef(this.gl.ref.refs, 1),
      total: e.total,
      detail: [
        {
          id: [entryId],
          documentDate,
          glTypeId: 'EE',
          memo: e.typeName,
          company: { id: company.id, identifier: company.identifier },
          accountNumber: '6000',
          expenseClass: { id: 1, name: 'Reimbursable' },
          currency: currencyRef(this.gl.ref.refs, 1),
          total: e.total,
          billable: e.billable,
          reimbursable: true,
          companyAdvance: false,
        },
      ],
    };
  }
}
