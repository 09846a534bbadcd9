import { BadRequest, isObject } from './endpoint.js';
import { newId } from './text.js';

const FORMATS = new Set(['wav', 'aac', 'mp3', 'flac', 'opus', 'pcm16']);

/** Whether a chat request asks for audio output; throws the real API's 400 when `audio` is missing or wrong. */
export function wantsAudio(body: Record<string, unknown>): { format: string } | null {
  const modalities = body.modalities;
  if (modalities === undefined || modalities === null) return null;
  if (!Array.isArray(modalities) || !modalities.every((m) => m === 'text' || m === 'audio')) {
    throw new BadRequest("Invalid 'modalities': expected an array of 'text' and 'audio'.", 'modalities');
  }
  if (!modalities.includes('audio')) return null;
  const audio = body.audio;
  if (!isObject(audio)) throw new BadRequest('Audio output requires the `audio` parameter to be set.', 'audio', 'missing_required_parameter');
  if (!(typeof audio.voice === 'string' || isObject(audio.voice))) throw new BadRequest("Missing required parameter: 'audio.voice'.", 'audio.voice', 'missing_required_parameter');
  if (typeof audio.format !== 'string' || !FORMATS.has(audio.format)) throw new BadRequest(`Invalid value for 'audio.format': ${JSON.stringify(audio.format)}.`, 'audio.format');
  return { format: audio.format };
}

/**
 * The `message.audio` of an answer: the words as `transcript` and, as `data`, silence of about their
 * spoken length (a real WAV file for `wav`, raw 16-bit samples otherwise), base64.
 */
export function audioAnswer(transcript: string, format: string): { id: string; expires_at: number; data: string; transcript: string } {
  const samples = Math.max(1, Math.min(24_000, transcript.length * 200));
  const pcm = Buffer.alloc(samples * 2);
  const data = format === 'wav' ? Buffer.concat([wavHeader(pcm.length), pcm]) : pcm;
  return { id: newId('audio_'), expires_at: Math.floor(Date.now() / 1000) + 3600, data: data.toString('base64'), transcript };
}

function wavHeader(bytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + bytes, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(24_000, 24); h.writeUInt32LE(48_000, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(bytes, 40);
  return h;
}
