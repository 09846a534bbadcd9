import { newId } from './text.js';

/**
 * The Responses output item of one hosted tool call, in the real API's shape, for `hosted=KIND[:NAME][(INPUT)]`.
 * INPUT is the call's arguments (mcp), input (custom), query (web/file search), code (code interpreter),
 * command (local shell) or prompt (image generation); NAME the tool's name (mcp, custom).
 */
export function hostedItem(kind: string, name: string | undefined, input: string | undefined): Record<string, unknown> {
  const text = input ?? '';
  switch (kind) {
    case 'mcp_call':
      return { type: kind, id: newId('mcp_'), server_label: 'fake', name: name ?? 'fake_tool', arguments: input ?? '{}', output: 'fake mcp output', error: null, status: 'completed' };
    case 'web_search_call':
      return { type: kind, id: newId('ws_'), status: 'completed', action: { type: 'search', query: text || 'fake query', sources: null } };
    case 'file_search_call':
      return { type: kind, id: newId('fs_'), status: 'completed', queries: [text || 'fake query'], results: null };
    case 'code_interpreter_call':
      return { type: kind, id: newId('ci_'), status: 'completed', code: text || 'print(1)', container_id: newId('cntr_'), outputs: null };
    case 'image_generation_call':
      // A 1×1 transparent PNG.
      return { type: kind, id: newId('ig_'), status: 'completed', result: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', revised_prompt: text || null };
    case 'computer_call':
      return { type: kind, id: newId('cu_'), call_id: newId('call_'), status: 'completed', pending_safety_checks: [], action: { type: 'click', button: 'left', x: 100, y: 200 } };
    case 'custom_tool_call':
      return { type: kind, id: newId('ctc_'), call_id: newId('call_'), name: name ?? 'fake_tool', input: text, status: 'completed' };
    case 'local_shell_call':
      return { type: kind, id: newId('lsh_'), call_id: newId('call_'), status: 'completed', action: { type: 'exec', command: (text || 'ls').split(/\s+/), env: {}, timeout_ms: null, user: null, working_directory: null } };
    default:
      return { type: kind, id: newId('call_'), status: 'completed' };
  }
}
