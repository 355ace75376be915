import { ASTVisitor, GraphQLError, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';

/** How deep the admin API lets a query nest fields: deeper than any screen needs, far short of harm. */
export const MAX_QUERY_DEPTH = 12;

/**
 * Refuses an operation whose fields nest deeper than `max` (fragments followed, a fragment cycle counted
 * once: the standard rules refuse cycles themselves). Types that lead back to each other (a client's
 * session, the session's client) would otherwise let one small query ask for an unbounded amount of work.
 */
export function maxDepthRule(max = MAX_QUERY_DEPTH): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const depth = deepest(context, operation.selectionSet, 0, new Set(), max);
      if (depth > max) {
        context.reportError(new GraphQLError(`the operation nests fields ${depth} deep; at most ${max} levels are allowed`, { nodes: [operation], extensions: { code: 'BAD_USER_INPUT' } }));
      }
    },
  });
}

/** The deepest field level below `set`, which is at `level`; stops counting once past `max`. */
function deepest(context: ValidationContext, set: SelectionSetNode, level: number, fragments: Set<string>, max: number): number {
  let found = level;
  for (const selection of set.selections) {
    if (found > max) return found;
    if (selection.kind === 'Field') {
      found = Math.max(found, selection.selectionSet ? deepest(context, selection.selectionSet, level + 1, fragments, max) : level + 1);
    } else if (selection.kind === 'InlineFragment') {
      found = Math.max(found, deepest(context, selection.selectionSet, level, fragments, max));
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || fragments.has(name)) continue;
      fragments.add(name);
      found = Math.max(found, deepest(context, fragment.selectionSet, level, fragments, max));
      fragments.delete(name);
    }
  }
  return found;
}

/** Fields an operation may select in all (fragments counted where they are spread). */
export const MAX_QUERY_FIELDS = 1000;
/** Fields at an operation's top: each may be a search of its own, so aliases must not multiply them. */
export const MAX_ROOT_FIELDS = 20;

/**
 * Refuses an operation that selects more than `maxFields` fields in all, or more than `maxRoot` at its
 * top: ten thousand aliases of one history search in one request would otherwise cost ten thousand
 * searches for the price of one request.
 */
export function maxFieldsRule(maxFields = MAX_QUERY_FIELDS, maxRoot = MAX_ROOT_FIELDS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const root = countFields(context, operation.selectionSet, new Set(), Infinity, false);
      if (root > maxRoot) {
        context.reportError(new GraphQLError(`the operation asks for ${root} fields at its top; at most ${maxRoot} are allowed (send several requests)`, { nodes: [operation], extensions: { code: 'BAD_USER_INPUT' } }));
        return;
      }
      const all = countFields(context, operation.selectionSet, new Set(), maxFields, true);
      if (all > maxFields) {
        context.reportError(new GraphQLError(`the operation selects more than ${maxFields} fields`, { nodes: [operation], extensions: { code: 'BAD_USER_INPUT' } }));
      }
    },
  });
}

/** Fields selected under `set` (below it too when `deep`), counting stopped once past `max`. */
function countFields(context: ValidationContext, set: SelectionSetNode, fragments: Set<string>, max: number, deep: boolean): number {
  let count = 0;
  for (const selection of set.selections) {
    if (count > max) return count;
    if (selection.kind === 'Field') {
      count++;
      if (deep && selection.selectionSet) count += countFields(context, selection.selectionSet, fragments, max - count, deep);
    } else if (selection.kind === 'InlineFragment') {
      count += countFields(context, selection.selectionSet, fragments, max - count, deep);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || fragments.has(name)) continue;
      fragments.add(name);
      count += countFields(context, fragment.selectionSet, fragments, max - count, deep);
      fragments.delete(name);
    }
  }
  return count;
}
