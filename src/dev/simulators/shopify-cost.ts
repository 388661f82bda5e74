import {
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  Kind,
  OperationTypeNode,
  valueFromAST,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

/**
 * Calculated query cost, after Shopify's published rules (shopify.dev/docs/api/usage/limits and
 * ../shared/reference/stores.md §1.10): a scalar or enum costs 0, an object 1, a connection 2 plus
 * `first` (or `last`) times the cost of one node with its own selection, a plain list of objects
 * one object, a mutation 10. The requested cost is computed from the query before it runs; the
 * actual cost walks the answer and counts the nodes that came back (a short last page, a null
 * object cost less than asked), so it never exceeds the requested cost.
 */
export const MUTATION_COST = 10;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function requestedCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  if (operation.operation === OperationTypeNode.MUTATION)
    return MUTATION_COST * operation.selectionSet.selections.length;
  const root = schema.getQueryType()!;
  return selectionCost({ schema, fragments, variables }, operation.selectionSet, root, undefined);
}

export function actualCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  data: unknown,
): number {
  if (operation.operation === OperationTypeNode.MUTATION)
    return MUTATION_COST * operation.selectionSet.selections.length;
  const root = schema.getQueryType()!;
  return selectionCost({ schema, fragments, variables }, operation.selectionSet, root, data ?? null);
}

/**
 * Cost of a selection on `parent`. `value` undefined: the requested cost; otherwise the object the
 * answer holds for it (null: nothing came back, nothing is charged).
 */
function selectionCost(
  walk: Walk,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  value: unknown,
): number {
  if (value === null) return 0;
  const record = value as Record<string, unknown> | undefined;
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition
        ? (walk.schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType)
        : parent;
      total += selectionCost(walk, selection.selectionSet, type, value);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment) {
        const type = walk.schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType;
        total += selectionCost(walk, fragment.selectionSet, type, value);
      }
      continue;
    }
    const name = selection.name.value;
    if (name.startsWith("__") || isUnionType(parent)) continue;
    const field = parent.getFields()[name];
    if (!field || !selection.selectionSet) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) continue;
    const child = named as GraphQLCompositeType;
    const key = selection.alias?.value ?? name;
    const fieldValue = record === undefined ? undefined : (record[key] ?? null);
    if (named.name.endsWith("Connection") && isObjectType(named)) {
      total += connectionCost(
        walk,
        selection.selectionSet,
        named,
        fieldValue,
        argument(walk, field, selection),
      );
    } else if (isListType(getNullableType(field.type))) {
      // A plain list of objects (not a connection: no `first`) is charged as one object, asked or
      // answered: its size is unknown before it runs, and the actual cost never exceeds the
      // requested one (selectedOptions, quantities).
      if (fieldValue === undefined) {
        total += 1 + selectionCost(walk, selection.selectionSet, child, undefined);
      } else if (Array.isArray(fieldValue)) {
        const itemSelection = selection.selectionSet;
        total +=
          1 + Math.max(0, ...fieldValue.map((item) => selectionCost(walk, itemSelection, child, item)));
      }
    } else if (isObjectType(child) || isInterfaceType(child) || isUnionType(child)) {
      if (fieldValue === null) continue;
      total += 1 + selectionCost(walk, selection.selectionSet, child, fieldValue);
    }
  }
  return total;
}

function connectionCost(
  walk: Walk,
  selectionSet: SelectionSetNode,
  connection: GraphQLCompositeType,
  value: unknown,
  args: Record<string, unknown>,
): number {
  if (value === null) return 0;
  const nodeType = getNamedType(
    (connection as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields().nodes!.type,
  ) as GraphQLCompositeType;
  // The selections made on one node, through `nodes { … }` or `edges { node { … } }`.
  const perNode: { selectionSet: SelectionSetNode; key: string; viaEdges: string | undefined }[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
    const key = selection.alias?.value ?? selection.name.value;
    if (selection.name.value === "nodes")
      perNode.push({ selectionSet: selection.selectionSet, key, viaEdges: undefined });
    if (selection.name.value === "edges") {
      for (const inner of selection.selectionSet.selections) {
        if (inner.kind === Kind.FIELD && inner.name.value === "node" && inner.selectionSet) {
          perNode.push({
            selectionSet: inner.selectionSet,
            key: inner.alias?.value ?? "node",
            viaEdges: key,
          });
        }
      }
    }
  }
  if (value === undefined) {
    const count = typeof args.first === "number" ? args.first : typeof args.last === "number" ? args.last : 0;
    const nodeCost = Math.max(
      0,
      ...perNode.map((entry) => selectionCost(walk, entry.selectionSet, nodeType, undefined)),
    );
    return 2 + count * (1 + nodeCost);
  }
  const record = value as Record<string, unknown>;
  // Each node is charged once, by its costliest selection.
  const costs: number[] = [];
  for (const entry of perNode) {
    const items =
      entry.viaEdges === undefined
        ? ((record[entry.key] as unknown[] | undefined) ?? [])
        : ((record[entry.viaEdges] as Record<string, unknown>[] | undefined) ?? []).map(
            (edge) => edge[entry.key],
          );
    items.forEach((item, index) => {
      costs[index] = Math.max(costs[index] ?? 0, 1 + selectionCost(walk, entry.selectionSet, nodeType, item));
    });
  }
  return 2 + costs.reduce((sum, cost) => sum + cost, 0);
}

function argument(
  walk: Walk,
  field: GraphQLField<unknown, unknown>,
  selection: { arguments?: readonly { name: { value: string }; value: ValueNode }[] },
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const node of selection.arguments ?? []) {
    const definition = field.args.find((arg) => arg.name === node.name.value);
    if (definition) values[node.name.value] = valueFromAST(node.value, definition.type, walk.variables);
  }
  return values;
}
