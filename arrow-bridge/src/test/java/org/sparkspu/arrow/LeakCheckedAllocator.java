package org.sparkspu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Base of the Arrow-level tests: a fresh limited root per test that must end with zero bytes held. */
abstract class LeakCheckedAllocator {
  BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator(256L << 20);
  }

  @AfterEach
  void allocatorHoldsNothing() {
    try {
      assertEquals(0, allocator.getAllocatedMemory(), "Arrow bytes still allocated after the test:\n" + allocator.toVerboseString());
      assertEquals(0, allocator.getChildAllocators().size(), "child allocators left open");
    } finally {
      allocator.close();
    }
  }
}
