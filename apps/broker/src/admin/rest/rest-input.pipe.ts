import { ArgumentMetadata, Injectable, PipeTransform, Type } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { badInput } from '../admin-error';

/** A property as its @ApiProperty documents it: what the REST API holds input to. */
interface PropertySchema {
  type?: unknown;
  isArray?: boolean;
  required?: boolean;
  nullable?: boolean;
  default?: unknown;
  enum?: readonly unknown[];
  /** A list of enum values keeps them here (see @ApiProperty). */
  items?: { enum?: readonly unknown[] };
}

/** The documented properties of a class, by name. */
function propertiesOf(type: Type): Map<string, PropertySchema> {
  const keys = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, type.prototype) as string[] | undefined) ?? [];
  return new Map(keys.map((key) => [key.slice(1), (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, type.prototype, key.slice(1)) as PropertySchema | undefined) ?? {}]));
}

const isModel = (type: unknown): type is Type => typeof type === 'function' && ![String, Number, Boolean, Date, Object, Array].includes(type as never);

/** An ISO 8601 date-time as GraphQL's DateTime takes it; `new Date` alone would read "1" as a year. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value) : JSON.stringify(value) ?? String(value));

/** A JSON value or a query string as the scalar the property documents, or BAD_USER_INPUT saying what is wrong. */
function scalar(name: string, value: unknown, schema: PropertySchema, fromQuery: boolean): unknown {
  const { type } = schema;
  let result: unknown;
  if (type === 'integer') {
    result = fromQuery && typeof value === 'string' && /^[+-]?\d{1,15}$/.test(value) ? Number(value) : value;
    if (typeof result !== 'number' || !Number.isSafeInteger(result)) throw badInput(`${name}: ${show(value)} is not an integer`);
  } else if (type === Number || type === 'number') {
    result = fromQuery && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof result !== 'number' || !Number.isFinite(result)) throw badInput(`${name}: ${show(value)} is not a number`);
  } else if (type === Boolean || type === 'boolean') {
    result = fromQuery && (value === 'true' || value === 'false') ? value === 'true' : value;
    if (typeof result !== 'boolean') throw badInput(`${name}: ${show(value)} is not true or false`);
  } else if (type === Date) {
    const time = typeof value === 'string' && DATE_TIME.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(time)) throw badInput(`${name}: ${show(value)} is not a date-time (ISO 8601, e.g. 2025-01-31T12:00:00Z)`);
    result = new Date(time);
  } else if (isModel(type)) {
    result = model(name, value, type, false);
  } else {
    if (typeof value !== 'string') throw badInput(`${name}: ${show(value)} is not a string`);
    result = value;
  }
  const allowed = schema.enum ?? schema.items?.enum;
  if (allowed !== undefined && !allowed.includes(result)) throw badInput(`${name}: ${show(value)} is not one of ${allowed.join(', ')}`);
  return result;
}

/** An object of the class `type`, from a JSON object or the query: its documented properties, nothing else. */
function model(path: string, value: unknown, type: Type, fromQuery: boolean): Record<string, unknown> {
  const what = fromQuery ? 'parameter' : 'field';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badInput(`${path || 'body'}: expected a JSON object`);
  const properties = propertiesOf(type);
  const given = value as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!properties.has(name)) throw badInput(`${path ? `${path}.` : ''}${name}: no such ${what}; the ${what}s are ${[...properties.keys()].join(', ')}`);
  }
  const result: Record<string, unknown> = {};
  for (const [name, schema] of properties) {
    const field = path ? `${path}.${name}` : name;
    const raw = given[name];
    if (raw === undefined) {
      if (schema.default !== undefined) result[name] = schema.default;
      else if (schema.required !== false) throw badInput(`${field}: required`);
      continue;
    }
    if (raw === null && !fromQuery) {
      if (!schema.nullable) throw badInput(`${field}: may not be null`);
      result[name] = null;
      continue;
    }
    if (schema.isArray) {
      // In a query, a list is the parameter repeated: ?topics=a&topics=b.
      const items = fromQuery && !Array.isArray(raw) ? [raw] : raw;
      if (!Array.isArray(items)) throw badInput(`${field}: expected a JSON array`);
      result[name] = items.map((item, i) => scalar(`${field}[${i}]`, item, schema, fromQuery));
    } else {
      if (fromQuery && Array.isArray(raw)) throw badInput(`${field}: given ${raw.length} times; give it once`);
      result[name] = scalar(field, raw, schema, fromQuery);
    }
  }
  return result;
}

/**
 * Holds a REST call's query or JSON body to the class it is declared as, by the class's @ApiProperty
 * decorators, so the OpenAPI document and the check are one: the types GraphQL would check (strings,
 * integers, booleans, date-times, lists, enums, nested objects), required and nullable properties,
 * defaults, and no property the class does not have. Query values are read from their text. What the
 * values mean (ranges, topics, names) is the services' to check, for both APIs.
 *
 * `@Query(RestInput) args: ClientsArgs`, `@Body(RestInput) input: CreateUserInput`, and for a body that is
 * a JSON array, `@Body(RestInput.arrayOf(UserImportInput))`.
 */
@Injectable()
export class RestInput implements PipeTransform {
  /** The class of each item, for a body that is a JSON array. */
  private itemsOf?: Type;

  static arrayOf(type: Type): RestInput {
    const pipe = new RestInput();
    pipe.itemsOf = type;
    return pipe;
  }

  transform(value: unknown, { type, metatype }: ArgumentMetadata): unknown {
    if (type !== 'query' && type !== 'body') return value;
    if (type === 'body' && value === undefined) throw badInput(`body: expected JSON, sent with content-type: application/json`);
    if (this.itemsOf !== undefined) {
      if (!Array.isArray(value)) throw badInput('body: expected a JSON array');
      return value.map((item, i) => model(`[${i}]`, item, this.itemsOf!, false));
    }
    if (!isModel(metatype)) throw new Error(`RestInput: the ${type} parameter needs a class with @ApiProperty decorators as its type`);
    return model('', value ?? {}, metatype, type === 'query');
  }
}
