import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class PaginationQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @IsOptional()
  @IsString()
  @MaxLength(400)
  cursor?: string;
}

/** A page of a list: `next_cursor` is absent on the last page. */
export interface Page<T> {
  readonly items: T[];
  readonly next_cursor?: string;
}

export function page<T>(items: T[], nextCursor: string | undefined): Page<T> {
  return nextCursor === undefined ? { items } : { items, next_cursor: nextCursor };
}
