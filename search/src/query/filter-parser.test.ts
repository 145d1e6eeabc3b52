import { describe, expect, it } from 'vitest';
import type { FilterNode } from './filter-ast.ts';
import { parseFilter } from './filter-parser.ts';
import { storeScopeFilter, toTypesenseFilter } from './filter-typesense.ts';

function roundTrip(input: string): string {
  return toTypesenseFilter(parseFilter(input)!);
}

function errorOf(input: string): { code: string; message: string; position?: unknown } {
  try {
    parseFilter(input);
  } catch (e) {
    const err = e as { code: string; message: string; details?: { position?: unknown } };
    return { code: err.code, message: err.message, position: err.details?.position };
  }
  throw new Error(`expected "${input}" to be rejected`);
}

describe('filter_by parser', () => {
  it('parses every comparison operator with typed values', () => {
    expect(roundTrip('price:>100')).toBe('price:>100');
    expect(roundTrip('price:>=100')).toBe('price:>=100');
    expect(roundTrip('price: < 5')).toBe('price:<5');
    expect(roundTrip('price:<=5')).toBe('price:<=5');
    expect(roundTrip('brand:=Acme')).toBe('brand:=`Acme`');
    expect(roundTrip('brand:!=Acme')).toBe('brand:!=`Acme`');
    expect(roundTrip('brand:Acme')).toBe('brand:`Acme`');
    expect(roundTrip('in_stock:true')).toBe('in_stock:true');
    const node = parseFilter('price:100') as Extract<FilterNode, { kind: 'clause' }>;
    expect(node.values[0]).toEqual({ kind: 'value', value: 100, pos: 6 });
  });

  it('parses ranges, lists and mixed lists', () => {
    expect(roundTrip('price:[10..20]')).toBe('price:[10..20]');
    expect(roundTrip('price:[10 .. 20, 50]')).toBe('price:[10..20, 50]');
    expect(roundTrip('brand:=[Acme, `Foo, Inc`]')).toBe('brand:=[`Acme`, `Foo, Inc`]');
    expect(roundTrip('tags:!=[spicy,pork]')).toBe('tags:!=[`spicy`, `pork`]');
  });

  it('gives && precedence over || and honours parentheses', () => {
    expect(roundTrip('in_stock:true && brand:=A || brand:=B')).toBe('((in_stock:true && brand:=`A`) || brand:=`B`)');
    expect(roundTrip('in_stock:true && (brand:=A || brand:=B)')).toBe('(in_stock:true && (brand:=`A` || brand:=`B`))');
  });

  it('keeps spaces inside bare values and backticked values', () => {
    expect(roundTrip('brand:=Grill House && price:<10')).toBe('(brand:=`Grill House` && price:<10)');
    expect(roundTrip('category:=`Sides && Extras`')).toBe('category:=`Sides && Extras`');
  });

  it('returns null for an empty filter', () => {
    expect(parseFilter('  ')).toBeNull();
  });

  it('names the position of a syntax error', () => {
    expect(errorOf('price>100')).toMatchObject({ code: 'search.filter_syntax', position: 5 });
    expect(errorOf('price:>100 &&')).toMatchObject({ code: 'search.filter_syntax', position: 13 });
    expect(errorOf('(price:>1')).toMatchObject({ code: 'search.filter_syntax', position: 9 });
    expect(errorOf('brand:[a, b')).toMatchObject({ code: 'search.filter_syntax', position: 11 });
    expect(errorOf('brand:`abc')).toMatchObject({ code: 'search.filter_syntax', position: 6 });
    expect(errorOf('price:>1 brand:=x').message).toMatch(/position 9/);
    expect(errorOf('price:[20..10]')).toMatchObject({ code: 'search.filter_syntax', position: 7 });
  });

  it('rejects unknown and non-filterable fields', () => {
    expect(errorOf('colour:=red')).toMatchObject({ code: 'search.unknown_field', position: 0 });
    expect(errorOf('price:>1 && description:x')).toMatchObject({ code: 'search.unknown_field', position: 12 });
  });

  it('rejects values of the wrong type', () => {
    expect(errorOf('price:>cheap')).toMatchObject({ code: 'search.field_type' });
    expect(errorOf('in_stock:yes')).toMatchObject({ code: 'search.field_type' });
    expect(errorOf('brand:>A')).toMatchObject({ code: 'search.field_type' });
    expect(errorOf('brand:[a..b]')).toMatchObject({ code: 'search.field_type' });
    expect(errorOf('price:>[1,2]')).toMatchObject({ code: 'search.filter_syntax' });
  });

  it('scopes every Typesense query to one store and published documents', () => {
    expect(storeScopeFilter('42')).toBe('merchant_id:=`42` && published:=true');
  });
});
