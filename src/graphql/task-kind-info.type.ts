import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum TaskIsolation {
  INLINE = 'INLINE',
  THREAD = 'THREAD',
}

registerEnumType(TaskIsolation, {
  name: 'TaskIsolation',
  description: 'Where a kind runs in a worker.',
  valuesConfig: {
    INLINE: { description: "On the worker's event loop, beside its other runs." },
    THREAD: { description: 'In a worker thread of its own: CPU-bound work that would stall the other runs.' },
  },
});

@ObjectType('TaskKindInfo', {
  description: 'A kind of task the service runs, as its definition in tasks/ declares it.',
})
export class TaskKindInfo {
  @Field(() => String, { description: 'What `createTask(kind:)`, jobs and metrics call it, such as sleep_task.' })
  name!: string;

  @Field(() => String, { description: 'Its GraphQL type, such as SleepTask; its typed mutation is create<typeName>.' })
  typeName!: string;

  @Field(() => String, { description: 'What it does, in a sentence.' })
  description!: string;

  @Field(() => TaskIsolation, { description: 'Where it runs in a worker.' })
  isolation!: TaskIsolation;

  @Field(() => GraphQLJSON, { description: 'The JSON Schema of its input, which `createTask` checks.' })
  inputSchema!: unknown;

  @Field(() => GraphQLJSON, { description: 'The JSON Schema of its result.' })
  resultSchema!: unknown;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: "The JSON Schema of its steps' detail (progressDetail); null when its steps carry none.",
  })
  progressSchema!: unknown;
}
