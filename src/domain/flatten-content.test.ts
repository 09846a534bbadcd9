import { describe, expect, it } from 'vitest';
import { flattenContent, hasNonTextParts } from './flatten-content.js';

describe('flattenContent', () => {
  it('joins text parts, marks images with their URL, audio and files, in both vocabularies', () => {
    expect(flattenContent([{ type: 'input_text', text: 'Describe' }, { type: 'input_image', image_url: 'https://x/c.png' },
      { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } }, { type: 'input_file', filename: 'a.pdf' }])).toBe('Describe\n<image>https://x/c.png</image>\n<audio>\n<file>a.pdf</file>');
    expect(flattenContent([{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'u', detail: 'low' } }])).toBe('a\n<image>u</image>');
    expect(flattenContent('plain')).toBe('plain');
    expect(flattenContent(null)).toBe('');
    expect(flattenContent({ type: 'input_text', text: 'one' })).toBe('one');
  });
  it('says when content holds more than text', () => {
    expect(hasNonTextParts([{ type: 'input_text', text: 'a' }])).toBe(false);
    expect(hasNonTextParts('a')).toBe(false);
    expect(hasNonTextParts([{ type: 'input_text', text: 'a' }, { type: 'input_image', image_url: 'u' }])).toBe(true);
  });
});
