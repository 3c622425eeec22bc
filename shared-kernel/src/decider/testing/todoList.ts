/** A tiny decider for the runtime's own tests: a to-do list. Not a business aggregate. */
import { ConflictError, NotFoundError } from '../../errors';
import type { Decider } from '../decider';

export type TodoAdded = { type: 'TodoAdded'; data: { id: string; title: string } };
export type TodoCompleted = { type: 'TodoCompleted'; data: { id: string } };
export type TodoEvent = TodoAdded | TodoCompleted;

export type AddTodo = { type: 'AddTodo'; data: { id: string; title: string } };
export type CompleteTodo = { type: 'CompleteTodo'; data: { id: string } };
export type TodoCommand = AddTodo | CompleteTodo;

export type TodoState = { todos: Record<string, { title: string; done: boolean }> };

export const todoList: Decider<TodoCommand, TodoEvent, TodoState> = {
  initialState: () => ({ todos: {} }),
  evolve(state, event) {
    switch (event.type) {
      case 'TodoAdded':
        return { todos: { ...state.todos, [event.data.id]: { title: event.data.title, done: false } } };
      case 'TodoCompleted': {
        const todo = state.todos[event.data.id];
        return todo ? { todos: { ...state.todos, [event.data.id]: { ...todo, done: true } } } : state;
      }
      default: {
        const unknown: never = event;
        throw new Error(`Unknown event ${JSON.stringify(unknown)}`);
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'AddTodo':
        if (state.todos[command.data.id]) throw new ConflictError(`To-do ${command.data.id} already exists.`);
        return [{ type: 'TodoAdded', data: command.data }];
      case 'CompleteTodo': {
        const todo = state.todos[command.data.id];
        if (!todo) throw new NotFoundError(`No to-do ${command.data.id}.`);
        return todo.done ? [] : [{ type: 'TodoCompleted', data: { id: command.data.id } }];
      }
      default: {
        const unknown: never = command;
        throw new Error(`Unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
};
