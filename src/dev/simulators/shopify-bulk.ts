import {
  execute,
  getNamedType,
  isObjectType,
  Kind,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { BulkOperationRecord, ShopifyContext, ShopifyResolvers } from "./shopify-resolvers.js";

/**
 * Bulk query operations (stores.md §1.4): the query is checked when it is submitted (at least one
 * connection, at most 5, nesting depth at most 2, a parent of a nested connection selects `id`),
 * then run over every node and written as JSONL: one line per node, a child carrying
 * `__parentId`. With `groupObjects: false` (the default from 2026-01) the simulator writes a
 * product's children after the next product's line, so a reader that assumes children follow
 * their parent breaks here as it would on a large shop.
 */

const MAX_CONNECTIONS = 5;
const MAX_DEPTH = 2;

interface ConnectionField {
  key: string;
  /** The selection made on each node (`nodes { … }` or `edges { node { … } }`). */
  nodeSelection: SelectionSetNode;
  nodeType: GraphQLCompositeType;
}

interface Document {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  fragments: Map<string, FragmentDefinitionNode>;
}

function parsed(query: string): Document | string {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return `Invalid bulk query: ${(error as Error).message}`;
  }
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1) return "Invalid bulk query: the document must hold exactly one operation";
  const operation = operations[0]!;
  if (operation.operation !== OperationTypeNode.QUERY)
    return "Invalid bulk query: only queries can run as a bulk query operation";
  const fragments = new Map(
    document.definitions
      .filter(
        (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
      )
      .map((fragment) => [fragment.name.value, fragment]),
  );
  return { document, operation, fragments };
}

/** The fields of a selection, through inline fragments and spreads, with the type each applies to. */
function fieldsOf(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  fragments: Map<string, FragmentDefinitionNode>,
): { node: FieldNode; parent: GraphQLCompositeType }[] {
  const fields: { node: FieldNode; parent: GraphQLCompositeType }[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push({ node: selection, parent: type });
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = selection.typeCondition
        ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType)
        : type;
      fields.push(...fieldsOf(schema, selection.selectionSet, inner, fragments));
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment) {
        const inner = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType;
        fields.push(...fieldsOf(schema, fragment.selectionSet, inner, fragments));
      }
    }
  }
  return fields;
}

function definitionOf(
  parent: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  return "getFields" in parent ? parent.getFields()[name] : undefined;
}

/** The connection fields of one object's selection (not looking inside the connections). */
function connectionsOf(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  fragments: Map<string, FragmentDefinitionNode>,
): { path: string[]; connection: ConnectionField }[] {
  const found: { path: string[]; connection: ConnectionField }[] = [];
  for (const { node, parent } of fieldsOf(schema, selectionSet, type, fragments)) {
    const definition = definitionOf(parent, node.name.value);
    if (!definition || !node.selectionSet) continue;
    const named = getNamedType(definition.type);
    const key = node.alias?.value ?? node.name.value;
    if (named.name.endsWith("Connection") && isObjectType(named)) {
      const nodeType = getNamedType(named.getFields().nodes!.type) as GraphQLCompositeType;
      let nodeSelection: SelectionSetNode | undefined;
      for (const inner of fieldsOf(schema, node.selectionSet, named, fragments)) {
        if (inner.node.name.value === "nodes" && inner.node.selectionSet)
          nodeSelection = inner.node.selectionSet;
        if (inner.node.name.value === "edges" && inner.node.selectionSet) {
          for (const edgeField of fieldsOf(schema, inner.node.selectionSet, named, fragments)) {
            if (edgeField.node.name.value === "node" && edgeField.node.selectionSet)
              nodeSelection = edgeField.node.selectionSet;
          }
        }
      }
      if (nodeSelection) found.push({ path: [key], connection: { key, nodeSelection, nodeType } });
    } else if (isObjectType(named) || "getFields" in named) {
      for (const inner of connectionsOf(
        schema,
        node.selectionSet,
        named as GraphQLCompositeType,
        fragments,
      )) {
        found.push({ path: [key, ...inner.path], connection: inner.connection });
      }
    }
  }
  return found;
}

function selectsId(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  fragments: Map<string, FragmentDefinitionNode>,
): boolean {
  return fieldsOf(schema, selectionSet, type, fragments).some(
    (field) => field.node.name.value === "id" && !field.node.alias,
  );
}

/** Why a bulk query is refused, or undefined when it may run. */
export function checkBulkQuery(schema: GraphQLSchema, query: string): string | undefined {
  const document = parsed(query);
  if (typeof document === "string") return document;
  const invalid = validate(schema, document.document);
  if (invalid.length > 0) return `Invalid bulk query: ${invalid[0]!.message}`;
  let count = 0;
  let deepest = 0;
  let parentWithoutId = false;
  const walk = (
    selectionSet: SelectionSetNode,
    type: GraphQLCompositeType,
    depth: number,
    isNode: boolean,
  ): void => {
    const connections = connectionsOf(schema, selectionSet, type, document.fragments);
    if (connections.length > 0 && isNode && !selectsId(schema, selectionSet, type, document.fragments))
      parentWithoutId = true;
    for (const { connection } of connections) {
      count += 1;
      deepest = Math.max(deepest, depth + 1);
      walk(connection.nodeSelection, connection.nodeType, depth + 1, true);
    }
  };
  walk(document.operation.selectionSet, schema.getQueryType()!, 0, false);
  if (count === 0) return "Bulk queries must contain at least one connection.";
  if (count > MAX_CONNECTIONS) return `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`;
  if (deepest > MAX_DEPTH)
    return `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_DEPTH}.`;
  if (parentWithoutId) {
    return "The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type.";
  }
  return undefined;
}

/** Runs the operation's query over every node and writes its JSONL. */
export function runBulkQuery(
  schema: GraphQLSchema,
  resolvers: ShopifyResolvers,
  operation: BulkOperationRecord,
): { jsonl: string; objectCount: number; rootObjectCount: number } {
  const document = parsed(operation.query);
  if (typeof document === "string") throw new Error(document);
  const context: ShopifyContext = {
    version: operation.version,
    bulk: true,
    now: Date.now(),
    searchWarnings: [],
  };
  const result = execute({
    schema,
    document: document.document,
    rootValue: resolvers,
    contextValue: context,
  }) as ExecutionResult;
  if (result.errors && result.errors.length > 0) throw new Error(result.errors[0]!.message);
  const lines: string[] = [];
  let roots = 0;
  // Each root's line, then (grouped) its children, or (not grouped) the previous root's children.
  let deferred: string[] = [];

  /** The node's own line (its connections taken out) and the lines of its descendants. */
  const linesOf = (
    value: Record<string, unknown>,
    selectionSet: SelectionSetNode,
    type: GraphQLCompositeType,
    parentId: unknown,
  ): { own: string; descendants: string[] } => {
    const own: Record<string, unknown> = structuredClone(value);
    const descendants: string[] = [];
    for (const { path, connection } of connectionsOf(schema, selectionSet, type, document.fragments)) {
      let holder: Record<string, unknown> | undefined = own;
      for (const step of path.slice(0, -1)) holder = holder?.[step] as Record<string, unknown> | undefined;
      const data = holder?.[connection.key] as
        { nodes?: unknown[]; edges?: { node: unknown }[] } | null | undefined;
      if (holder) delete holder[connection.key];
      const children = data?.nodes ?? data?.edges?.map((edge) => edge.node) ?? [];
      for (const child of children) {
        const nested = linesOf(
          child as Record<string, unknown>,
          connection.nodeSelection,
          connection.nodeType,
          own.id,
        );
        descendants.push(nested.own, ...nested.descendants);
      }
    }
    if (parentId !== undefined) own.__parentId = parentId;
    return { own: JSON.stringify(own), descendants };
  };

  const rootType = schema.getQueryType()!;
  const data = (result.data ?? {}) as Record<string, unknown>;
  for (const { node, parent } of fieldsOf(
    schema,
    document.operation.selectionSet,
    rootType,
    document.fragments,
  )) {
    const definition = definitionOf(parent, node.name.value);
    if (!definition || !node.selectionSet) continue;
    const key = node.alias?.value ?? node.name.value;
    const named = getNamedType(definition.type);
    const connection = connectionsOf(
      schema,
      document.operation.selectionSet,
      rootType,
      document.fragments,
    ).find((entry) => entry.path.length === 1 && entry.path[0] === key);
    const value = data[key] as Record<string, unknown> | null | undefined;
    if (value === null || value === undefined) continue;
    const rootNodes: {
      value: Record<string, unknown>;
      selection: SelectionSetNode;
      type: GraphQLCompositeType;
    }[] = connection
      ? (
          (value.nodes as Record<string, unknown>[] | undefined) ??
          (value.edges as { node: Record<string, unknown> }[] | undefined)?.map((edge) => edge.node) ??
          []
        ).map((item) => ({
          value: item,
          selection: connection.connection.nodeSelection,
          type: connection.connection.nodeType,
        }))
      : [{ value, selection: node.selectionSet, type: named as GraphQLCompositeType }];
    for (const root of rootNodes) {
      const written = linesOf(root.value, root.selection, root.type, undefined);
      roots += 1;
      lines.push(written.own);
      if (operation.groupObjects) lines.push(...written.descendants);
      else {
        lines.push(...deferred);
        deferred = written.descendants;
      }
    }
  }
  lines.push(...deferred);
  return {
    jsonl: lines.length === 0 ? "" : `${lines.join("\n")}\n`,
    objectCount: lines.length,
    rootObjectCount: roots,
  };
}
