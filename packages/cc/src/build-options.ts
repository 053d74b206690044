/**
 * The compile options a header implies: the DDI names it declares as imports, its role names, and
 * where NDIS takes handlers. The generator will emit these next to the header; the prototype reads
 * them from the header text and the record table.
 */
import { headerDdiNames, headerRoleNames } from './compile.js';
import type { CompileOptions } from './flags.js';
import { NDIS_RECORDS, handlerFields } from '@ddikit/sim-c';
import { ddiHandlerParameters, handlerTypedefs } from './roles.js';

export function buildOptionsFor(header: string, extra: Partial<CompileOptions> = {}): CompileOptions {
  const roleNames = headerRoleNames(header);
  const handlers = handlerTypedefs(header, new Set(roleNames));
  return {
    ddiNames: headerDdiNames(header),
    roleNames,
    handlerPlaces: { fields: handlerFields(NDIS_RECORDS), parameters: ddiHandlerParameters(header, handlers) },
    ...extra,
  };
}
