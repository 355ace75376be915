import { applyDecorators } from '@nestjs/common';
import { Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { badInput } from './admin-error';

/** The largest page any list of the admin API returns. */
export const MAX_PAGE_SIZE = 500;

/** A page size as asked, or BAD_USER_INPUT saying what is allowed. */
export function pageSize(first: number, field = 'first'): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badInput(`${field}: ${first}; ask for 1 to ${MAX_PAGE_SIZE} at a time`);
  return first;
}

/** The page size argument of a list (`first`, `last`), in GraphQL and REST alike. */
export const PageSizeArg = (defaultValue: number): PropertyDecorator =>
  applyDecorators(Field(() => Int, { defaultValue }), ApiPropertyOptional({ type: 'integer', default: defaultValue, minimum: 1, maximum: MAX_PAGE_SIZE }));

/** The cursor argument of a list: the nextCursor of the page before. */
export const AfterArg = (): PropertyDecorator => applyDecorators(Field(() => String, { nullable: true }), ApiPropertyOptional({ type: String, description: 'The nextCursor of the page before' }));
