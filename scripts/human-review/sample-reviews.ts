/** Reviews of the project's sample dataset, as callers of the prediction API would send them. */
import * as fs from 'fs';
import * as path from 'path';
import { RAW_REVIEW_COLUMNS } from '../../lib/constructs/lake-catalog';
import { SAMPLE_DATA_DIR } from '../../lib/constructs/lake-folder-upload';
import { SAMPLE_REVIEWS_FILES } from '../../lib/lake-layout';

/** The rows of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** A column of the dataset as delivered: the catalog names them. */
type RawReviewColumn = (typeof RAW_REVIEW_COLUMNS)[number];

/** The sample's reviews that have a text: the text and the product category (Class Name). */
export function sampleReviews(): { text: string; productCategory: string }[] {
  return SAMPLE_REVIEWS_FILES.flatMap((file) => {
    const [header, ...rows] = csvRows(fs.readFileSync(path.join(SAMPLE_DATA_DIR, file), 'utf-8'));
    const column = (name: RawReviewColumn) => header.indexOf(name);
    const text = column('Review Text');
    const category = column('Class Name');
    return rows.filter((r) => r[text]?.trim()).map((r) => ({ text: r[text], productCategory: r[category] ?? '' }));
  });
}
