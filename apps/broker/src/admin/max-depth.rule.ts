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
