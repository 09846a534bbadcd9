import { describe, expect, it } from 'vitest';
import { chatToolCall, hostedToolCall, isHostedCall } from './hosted-tools.js';

describe('hostedToolCall', () => {
  it('gives every hosted kind the function-call shape, with its own type and id', () => {
    expect(hostedToolCall({ type: 'mcp_call', id: 'mcp_1', server_label: 's', name: 'lookup', arguments: '{"q":"x"}', output: 'y' }))
      .toEqual({ id: 'mcp_1', type: 'mcp_call', function: { name: 'lookup', arguments: '{"q":"x"}' } });
    expect(hostedToolCall({ type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } }))
      .toEqual({ id: 'ws_1', type: 'web_search_call', function: { name: 'web_search', arguments: '{"type":"search","query":"q"}' } });
    expect(hostedToolCall({ type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_9', name: 'grammar', input: 'free text' }))
      .toEqual({ id: 'call_9', type: 'custom_tool_call', function: { name: 'grammar', arguments: 'free text' } });
    expect(hostedToolCall({ type: 'file_search_call', id: 'fs', queries: ['a'] }).function).toEqual({ name: 'file_search', arguments: '{"queries":["a"]}' });
    expect(hostedToolCall({ type: 'code_interpreter_call', id: 'ci', code: 'print(1)', container_id: 'c' }).function.arguments).toBe('{"code":"print(1)","container_id":"c"}');
    expect(hostedToolCall({ type: 'image_generation_call', id: 'ig', result: 'AAAA' }).function).toEqual({ name: 'image_generation', arguments: '{}' });
    expect(hostedToolCall({ type: 'computer_call', id: 'cu', call_id: 'call_c', action: { type: 'click', x: 1, y: 2 } }).function.name).toBe('computer');
    expect(hostedToolCall({ type: 'local_shell_call', id: 'ls', call_id: 'call_l', action: { type: 'exec', command: ['ls'] } }).function)
      .toEqual({ name: 'local_shell', arguments: '{"type":"exec","command":["ls"]}' });
  });
  it('keeps an unknown *_call kind, and tells calls from other items', () => {
    expect(hostedToolCall({ type: 'shell_call', id: 'sh', status: 'completed', action: { commands: ['ls'] } }))
      .toEqual({ id: 'sh', type: 'shell_call', function: { name: 'shell', arguments: '{"action":{"commands":["ls"]}}' } });
    expect(isHostedCall({ type: 'mcp_call' })).toBe(true);
    expect(isHostedCall({ type: 'function_call' })).toBe(false);
    expect(isHostedCall({ type: 'message' })).toBe(false);
    expect(isHostedCall({ type: 'reasoning' })).toBe(false);
  });

  it('gives a chat custom tool call the function-call shape, and leaves function calls alone', () => {
    expect(chatToolCall({ id: 'call_1', type: 'custom', custom: { name: 'sql', input: 'SELECT 1' } } as never))
      .toEqual({ id: 'call_1', type: 'custom', function: { name: 'sql', arguments: 'SELECT 1' } });
    const fn = { id: 'call_2', type: 'function', function: { name: 'f', arguments: '{}' } };
    expect(chatToolCall(fn)).toBe(fn);
  });
});
