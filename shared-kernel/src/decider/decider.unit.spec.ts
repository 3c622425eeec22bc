import { fold } from './decider';
import { todoList, type TodoEvent } from './testing/todoList';

const added: TodoEvent = { type: 'TodoAdded', data: { id: 'a', title: 'Buy rice' } };
const completed: TodoEvent = { type: 'TodoCompleted', data: { id: 'a' } };

describe('fold', () => {
  describe('when there are no events', () => {
    it('returns a fresh initial state each time', () => {
      const first = fold(todoList, []);
      const second = fold(todoList, []);
      expect(first).toEqual({ todos: {} });
      expect(first).not.toBe(second);
    });
  });

  describe('when the stream already has events', () => {
    it('applies them in order', () => {
      expect(fold(todoList, [added, completed])).toEqual({ todos: { a: { title: 'Buy rice', done: true } } });
    });

    it('continues from a given state', () => {
      const afterAdded = fold(todoList, [added]);
      expect(fold(todoList, [completed], afterAdded)).toEqual(fold(todoList, [added, completed]));
    });
  });
});
