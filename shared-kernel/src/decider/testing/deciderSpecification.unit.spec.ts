import { ConflictError, IllegalStateError, NotFoundError } from '../../errors';
import { todoList } from './todoList';
import { DeciderSpecification } from '.';

const spec = DeciderSpecification.for(todoList);
const added = { type: 'TodoAdded', data: { id: 'a', title: 'Buy rice' } } as const;
const completed = { type: 'TodoCompleted', data: { id: 'a' } } as const;

describe('DeciderSpecification', () => {
  describe('then', () => {
    it('passes when the decided events equal the expected ones', () => {
      spec.given([]).when({ type: 'AddTodo', data: { id: 'a', title: 'Buy rice' } }).then([added]);
    });

    it('fails when an event differs in its data', () => {
      expect(() =>
        spec.given([]).when({ type: 'AddTodo', data: { id: 'a', title: 'Buy rice' } }).then([{ type: 'TodoAdded', data: { id: 'a', title: 'Buy dal' } }]),
      ).toThrow(/toEqual/);
    });

    it('fails when the command was refused, with the refusal', () => {
      expect(() => spec.given([added]).when({ type: 'AddTodo', data: { id: 'a', title: 'Again' } }).then([added])).toThrow(ConflictError);
    });
  });

  describe('thenNothingHappened', () => {
    it('passes when the command changes nothing', () => {
      spec.given([added, completed]).when({ type: 'CompleteTodo', data: { id: 'a' } }).thenNothingHappened();
    });

    it('fails when the command decided events', () => {
      expect(() => spec.given([added]).when({ type: 'CompleteTodo', data: { id: 'a' } }).thenNothingHappened()).toThrow(/toEqual/);
    });
  });

  describe('thenThrows', () => {
    const refused = () => spec.given([]).when({ type: 'CompleteTodo', data: { id: 'b' } });

    it('passes with the error class, a message part, a pattern or a check', () => {
      refused().thenThrows(NotFoundError);
      refused().thenThrows(NotFoundError, 'No to-do b');
      refused().thenThrows(NotFoundError, /to-do b\.$/);
      refused().thenThrows(NotFoundError, (error) => error.code === 'not_found');
    });

    it('fails when the error is of another class', () => {
      expect(() => refused().thenThrows(IllegalStateError)).toThrow(/toBeInstanceOf/);
    });

    it('fails when the message or the check does not match', () => {
      expect(() => refused().thenThrows(NotFoundError, 'No order')).toThrow(/toContain/);
      expect(() => refused().thenThrows(NotFoundError, () => false)).toThrow('The NotFoundError did not pass the check: No to-do b.');
    });

    it('fails when the command was accepted', () => {
      expect(() => spec.given([]).when({ type: 'AddTodo', data: { id: 'a', title: 'Buy rice' } }).thenThrows(ConflictError)).toThrow(
        'Expected the command to be refused with ConflictError, but it decided [{"type":"TodoAdded","data":{"id":"a","title":"Buy rice"}}].',
      );
    });
  });
});
